public import GridCore

/// The field as a deterministic state machine: a transformer with its meter and thermal block, the households,
/// and N chargers with their EVs. No clock, no I/O: time moves only through `advance(by:)`.
public struct FeederSimulation: Sendable {
    public let scenario: Scenario
    /// Simulated time now.
    public private(set) var time: Timestamp
    /// Everything measured so far (updated on every internal step).
    public private(set) var metrics: ScenarioMetrics
    /// The transformer's IEC 60076-7 state.
    public private(set) var thermal: ThermalState
    /// The ambient change in force from `adjustAmbient(_:)`; nil: the scenario's ambient.
    public private(set) var ambientAdjustment: AmbientAdjustment?

    let inputs: FeederInputs
    let thermalModel: HotSpotModel
    var chargers: [ChargerModel]
    var network: FeederNetwork
    var frequencyHz: Double
    var ambientC: Double
    /// The meter's values captured when a frozen-meter event began.
    var frozenMeter: MeterReading?

    /// `powerIntervalS` is the window of the net power series in `metrics` (a neighborhood's `report_interval_s`).
    public init(scenario: Scenario, powerIntervalS: Double = ScenarioMetrics.defaultPowerIntervalS) {
        self.scenario = scenario
        time = scenario.startTime
        inputs = FeederInputs(scenario: scenario)
        thermalModel = HotSpotModel(parameters: scenario.transformer.thermal)
        chargers = scenario.chargers.indices.map { i in
            ChargerModel(spec: scenario.chargers[i], sessions: scenario.sessions(forChargerAt: i))
        }
        ambientC = inputs.ambientC(at: time)
        for i in chargers.indices { _ = chargers[i].updateSessions(at: time, ambientC: ambientC) }
        frequencyHz = 0
        network = FeederNetwork(
            voltage: .init(repeating: .zero), current: .init(repeating: .zero),
            activeKW: .init(repeating: 0), reactiveKvar: .init(repeating: 0)
        )
        thermal = ThermalState(topOilC: 0, hotSpotRiseH1K: 0, hotSpotRiseH2K: 0)
        metrics = ScenarioMetrics(start: scenario.startTime, powerIntervalS: powerIntervalS)
        solveNetwork()
        // Without a given initial top-oil, start from the steady state at the first instant's load: the
        // transformer has been carrying the afternoon's load for hours.
        let loadPU = network.apparentKVA / scenario.transformer.ratedKVA
        thermal = scenario.transformer.thermal.initialTopOilC == nil
            ? thermalModel.steadyState(loadPU: loadPU, ambientC: ambientC)
            : thermalModel.initialState(ambientC: ambientC)
        updateFrozenMeter()
    }

    /// Moves simulated time forward by `seconds`, in internal steps no longer than the scenario's `step_s`.
    public mutating func advance(by seconds: Double) {
        guard seconds.isFinite, seconds > 0 else { return }
        var remaining = seconds
        while remaining > 1e-9 {
            let dt = min(remaining, scenario.stepS)
            step(dt)
            remaining -= dt
        }
    }

    /// Writes a setpoint to a charger: + kW charges, − kW discharges, + kvar injects. If no new setpoint arrives
    /// within `revertAfterS` (≤ 0: never) the charger holds `revertTo`, as SunSpec 704's `WSetRvrt` says (the agent
    /// writes 0: stop), or, with no reversion value, returns to charging at the EV's request. Either is a lapse.
    public mutating func apply(
        setpoint chargerID: String, activeKW: Double, reactiveKvar: Double = 0, revertAfterS: Double,
        revertTo: Reversion? = nil
    ) throws(SimulationError) {
        let index = try onlineCharger(chargerID)
        let values = [activeKW, reactiveKvar, revertTo?.activeKW ?? 0, revertTo?.reactiveKvar ?? 0]
        guard values.allSatisfy(\.isFinite), !revertAfterS.isNaN else { throw .notFinite(chargerID) }
        chargers[index].setpoint = HeldSetpoint(
            activeKW: activeKW, reactiveKvar: reactiveKvar,
            expires: revertAfterS > 0 && revertAfterS.isFinite ? time + revertAfterS : nil, revertTo: revertTo
        )
    }

    /// Raises the ambient, or holds it, from now until the next call; nil returns to the scenario's ambient.
    /// The thermal model sees it from the next step, the temperature block at once.
    public mutating func adjustAmbient(_ adjustment: AmbientAdjustment?) throws(SimulationError) {
        if let adjustment, !adjustment.isValid { throw .ambientOutOfRange(adjustment) }
        ambientAdjustment = adjustment
        ambientC = ambientNowC()
    }

    /// The scenario's ambient now, with the adjustment in force.
    func ambientNowC() -> Double {
        let scenarioC = inputs.ambientC(at: time)
        return ambientAdjustment?.applied(to: scenarioC) ?? scenarioC
    }

    /// Drops a charger's setpoint (SunSpec 704 functions disabled): it charges at the EV's request again.
    public mutating func release(_ chargerID: String) throws(SimulationError) {
        chargers[try onlineCharger(chargerID)].setpoint = nil
    }

    private func onlineCharger(_ chargerID: String) throws(SimulationError) -> Int {
        guard let index = chargers.firstIndex(where: { $0.spec.id == chargerID }) else {
            throw .unknownCharger(chargerID)
        }
        guard isOnline(chargerID) else { throw .chargerOffline(chargerID) }
        return index
    }

    /// Every EV session so far: those that ended with `metTarget` set, the plugged-in ones with it nil.
    public var sessions: [SessionOutcome] {
        metrics.completedSessions + chargers.compactMap { charger in charger.ev.map { charger.outcome(of: $0, departed: false) } }
    }

    /// True unless a charger-offline event holds the charger off the bus now.
    public func isOnline(_ chargerID: String) -> Bool {
        !inputs.isActive(.chargerOffline, at: time) { $0.chargerID == chargerID }
    }

    mutating func step(_ dt: Double) {
        for i in chargers.indices {
            let reverted = chargers[i].setpoint?.revertTo
            if chargers[i].step(at: time, seconds: dt, ambientC: ambientC, battery: scenario.batteryThermal) {
                metrics.recordLapse(SetpointLapse(chargerID: chargers[i].spec.id, at: time, revertTo: reverted))
            }
        }
        time = time + dt
        ambientC = ambientNowC()
        for i in chargers.indices {
            for ended in chargers[i].updateSessions(at: time, ambientC: ambientC) { metrics.recordEnded(ended) }
        }
        solveNetwork()
        let truth = feederTruth()
        metrics.recordPower(
            netImportKW: truth.meter.activePowerKW.sum, chargersKW: chargers.reduce(0) { $0 + $1.activeKW }, overS: dt,
            endingAt: time)
        let lifeBefore = thermal.lossOfLifeHours
        thermal = thermalModel.step(thermal, loadPU: truth.loadPU, ambientC: ambientC, minutes: dt / 60)
        metrics.record(
            truth, hotSpotC: thermal.hotSpotC, topOilC: thermal.topOilC, lossOfLifeHours: thermal.lossOfLifeHours - lifeBefore,
            overS: dt, endingAt: time)
        updateFrozenMeter()
    }

    mutating func solveNetwork() {
        let base = inputs.baseLoad(at: time)
        var kw = base.kw
        var kvar = base.kvar
        for charger in chargers {
            for phase in Phase.allCases {
                let share = charger.spec.connection.share(of: phase)
                kw[phase] += charger.activeKW * share
                kvar[phase] -= charger.reactiveKvar * share  // injection offsets what the households absorb
            }
        }
        frequencyHz = inputs.frequencyHz(at: time)
        network = FeederNetwork.solve(
            upstreamPU: inputs.upstreamPU(at: time), nominalV: scenario.transformer.nominalPhaseVoltageV,
            impedance: scenario.transformer.phaseImpedanceOhm, activeKW: kw, reactiveKvar: kvar
        )
    }

    mutating func updateFrozenMeter() {
        if inputs.isActive(.meterFrozen, at: time) {
            if frozenMeter == nil { frozenMeter = network.meterReading(at: time, frequencyHz: frequencyHz) }
        } else {
            frozenMeter = nil
        }
    }

    func feederTruth() -> FeederTruth {
        let nominal = scenario.transformer.nominalPhaseVoltageV
        return FeederTruth(
            meter: network.meterReading(at: time, frequencyHz: frequencyHz),
            neutralCurrentA: network.neutralCurrentA,
            vufPercent: network.vufPercent,
            loadPU: network.apparentKVA / scenario.transformer.ratedKVA,
            voltagePU: network.voltage.map { $0.magnitude / nominal }
        )
    }
}
