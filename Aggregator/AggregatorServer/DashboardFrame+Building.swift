public import AggregatorKit
public import GridCore
public import MeshPlanner
public import PolicyTrust
import Telemetry

/// How the dashboard judges what it shows.
public struct DashboardSettings: Sendable, Hashable {
    /// The phase-to-neutral voltage the per-unit values and the band are taken against. The state report carries
    /// no voltage limits, so the band is the nominal ± 10 % (EN 50160's supply-voltage range).
    public var nominalPhaseVoltageV: Double = 230
    public var bandPerUnit: ClosedRange<Double> = 0.90...1.10
    /// Data older than this is drawn as stale (state reports come every ~2 s, telemetry batches every ~1–60 s).
    public var staleAfterS: Double = 90
    /// The hot-spot limit assumed for a transformer known only from telemetry: the IEC 60076-7 normal-ageing 98 °C.
    public var assumedHotSpotLimitC: Double = 98

    public init(nominalPhaseVoltageV: Double = 230, bandPerUnit: ClosedRange<Double> = 0.90...1.10, staleAfterS: Double = 90) {
        (self.nominalPhaseVoltageV, self.bandPerUnit, self.staleAfterS) = (nominalPhaseVoltageV, bandPerUnit, staleAfterS)
    }
}

/// Everything one frame is built from, read from the boards at one instant.
public struct DashboardInputs: Sendable {
    public var now: Timestamp
    /// The newest state report of each agent.
    public var fleet: [FleetStateBoard.Entry]
    /// The telemetry store's fleet view: agents with no state report are drawn from their newest samples.
    public var telemetry: [AgentFleetState]
    /// The envelopes in force, already verified against the pinned root.
    public var envelopes: [EnvelopeDocument]
    public var plan: DashboardPlanSummary?
    public var rollouts: [Rollout]

    public init(
        now: Timestamp, fleet: [FleetStateBoard.Entry], telemetry: [AgentFleetState] = [], envelopes: [EnvelopeDocument] = [],
        plan: DashboardPlanSummary? = nil, rollouts: [Rollout] = []
    ) {
        (self.now, self.fleet, self.telemetry, self.envelopes, self.plan, self.rollouts) = (now, fleet, telemetry, envelopes, plan, rollouts)
    }
}

extension DashboardFrame {
    /// The frame for `inputs`: pure, the same inputs give the same frame.
    public init(_ inputs: DashboardInputs, settings: DashboardSettings = .init()) {
        let nowMs = Int64((inputs.now.secondsSinceEpoch * 1000).rounded(.down))
        let envelopes = Dictionary(inputs.envelopes.map { ($0.agentID, $0) }, uniquingKeysWith: { $0.sequence >= $1.sequence ? $0 : $1 })
        var transformers = inputs.fleet.map { entry in
            Self.transformer(entry, now: inputs.now, settings: settings, envelope: envelopes[entry.report.id])
        }
        let reported = Set(transformers.map(\.id))
        transformers += inputs.telemetry.filter { !reported.contains($0.agentID) }.map { state in
            Self.transformer(state, nowMs: nowMs, settings: settings, envelope: envelopes[state.agentID])
        }
        transformers.sort { $0.id < $1.id }
        timeMs = nowMs
        voltageBand = VoltageBand(
            nominalV: settings.nominalPhaseVoltageV, lowPerUnit: settings.bandPerUnit.lowerBound, highPerUnit: settings.bandPerUnit.upperBound,
            source: "\(Self.text(settings.bandPerUnit.lowerBound))–\(Self.text(settings.bandPerUnit.upperBound)) pu of \(Self.text(settings.nominalPhaseVoltageV)) V nominal (the reports carry no voltage limits)")
        plan = inputs.plan.map { Self.filledIn($0, transformers: transformers) }
        rollouts = inputs.rollouts.map(RolloutView.init)
        self.transformers = transformers
        let fresh = transformers.filter { !$0.stale }
        totals = Totals(
            transformers: transformers.count, stale: transformers.count - fresh.count, importKW: fresh.map(\.importKW).reduce(0, +),
            evKW: fresh.compactMap(\.evKW).reduce(0, +),
            evsPlugged: fresh.flatMap(\.evs).filter { $0.socPercent != nil || $0.energyNeededKWh != nil }.count)
        point = nil
        point = DashboardPoint(self)
    }

    // MARK: From a state report

    static func transformer(_ entry: FleetStateBoard.Entry, now: Timestamp, settings: DashboardSettings, envelope: EnvelopeDocument?) -> Transformer {
        let report = entry.report
        let phaseRatingKVA = report.ratedKVA / 3
        let phases = Phase.allCases.map { phase in
            let measured = report.phases[phase]
            let apparentKVA = Phasor(real: measured.activePowerKW, imaginary: measured.reactivePowerKvar).magnitude
            return PhaseView(
                phase: phase.rawValue, activePowerKW: measured.activePowerKW, reactivePowerKvar: measured.reactivePowerKvar,
                voltageV: measured.voltageV, voltagePerUnit: perUnit(measured.voltageV, settings), currentA: measured.currentA,
                loadingPercent: phaseRatingKVA > 0 ? apparentKVA / phaseRatingKVA * 100 : nil)
        }
        let apparentKVA = Phase.allCases.map { Phasor(real: report.phases[$0].activePowerKW, imaginary: report.phases[$0].reactivePowerKvar).magnitude }
        let voltages = report.phases.map(\.voltageV)
        let ageS = max(0, now - report.reportTime)
        let thermal = report.thermal
        let evs = report.chargers.map { charger in
            EVView(
                charger: charger.id, connection: charger.connection.description, powerKW: charger.powerKW, online: charger.online,
                socPercent: charger.ev?.socPercent, energyNeededKWh: charger.ev?.energyNeededKWh,
                departureMs: charger.ev?.departure.map { Int64(($0.secondsSinceEpoch * 1000).rounded(.down)) }, v2gAgreed: charger.ev?.v2gAgreed)
        }
        return Transformer(
            id: report.id, source: .state, ageS: ageS, stale: ageS > settings.staleAfterS, ratedKVA: report.ratedKVA, phases: phases,
            loadingPercent: report.ratedKVA > 0 ? apparentKVA.reduce(0, +) / report.ratedKVA * 100 : nil,
            importKW: report.phases.map(\.activePowerKW).sum, neutralA: neutralCurrentA(report.phases),
            vufPercent: voltages.values.allSatisfy({ $0 > 0 }) ? SequenceComponents(nominalPhasors(voltages)).unbalancePercent : nil,
            voltageInBand: inBand(voltages.values, settings),
            thermal: Thermal(
                topOilC: thermal.topOilC, hotSpotC: thermal.hotSpotC, hotSpotLimitC: thermal.hotSpotLimitC, limitAssumed: false,
                ambientC: thermal.ambientC, headroomK: thermal.hotSpotLimitC - thermal.hotSpotC),
            evs: evs, evKW: report.chargers.map(\.powerKW).reduce(0, +), envelope: envelope.map(EnvelopeView.init))
    }

    /// The report gives magnitudes only: the phasors sit at the nominal 0°, −120°, +120°, as the agent places them
    /// when its meter gives no angles. VUF from magnitudes alone understates an unbalance in angle.
    static func nominalPhasors(_ magnitudes: PerPhase<Double>) -> PerPhase<Phasor> {
        PerPhase { Phasor(magnitude: magnitudes[$0], angleDegrees: $0.nominalAngleDegrees) }
    }

    /// |Ia + Ib + Ic| with each phase's current from its S and V: I = conj(S / V).
    static func neutralCurrentA(_ phases: PerPhase<PhaseMeasurement>) -> Double? {
        let voltages = nominalPhasors(phases.map(\.voltageV))
        guard Phase.allCases.allSatisfy({ voltages[$0].magnitude > 0 }) else { return nil }
        func current(_ phase: Phase) -> Phasor {
            (Phasor(real: phases[phase].activePowerKW * 1000, imaginary: phases[phase].reactivePowerKvar * 1000) / voltages[phase]).conjugate
        }
        return PerPhase(a: current(.a), b: current(.b), c: current(.c)).neutralMagnitude
    }

    // MARK: From telemetry

    static func transformer(_ state: AgentFleetState, nowMs: Int64, settings: DashboardSettings, envelope: EnvelopeDocument?) -> Transformer {
        var latest: [String: Double] = [:]
        for sample in state.latest { latest[sample.channel.name] = Double(sample.text) }
        let phases = Phase.allCases.enumerated().map { index, phase in
            let volts = latest[TransformerChannels.phase(index, .volts)]
            return PhaseView(
                phase: phase.rawValue, activePowerKW: latest[TransformerChannels.phase(index, .kilowatts)],
                reactivePowerKvar: latest[TransformerChannels.phase(index, .kilovars)], voltageV: volts,
                voltagePerUnit: volts.flatMap { perUnit($0, settings) }, currentA: latest[TransformerChannels.phase(index, .amperes)],
                loadingPercent: nil)
        }
        let voltages = phases.compactMap(\.voltageV)
        var evs: [EVView] = []
        for number in 1... {
            guard let power = latest[TransformerChannels.charger(number, .kilowatts)] else { break }
            evs.append(EVView(
                charger: "charger \(number)", connection: nil, powerKW: power, online: true,
                socPercent: latest[TransformerChannels.charger(number, .stateOfChargePercent)], energyNeededKWh: nil, departureMs: nil, v2gAgreed: nil))
        }
        let ageS = Double(max(0, nowMs - state.lastSeenMs)) / 1000
        let thermal = latest[TransformerChannels.hotSpotC].map { hotSpot in
            Thermal(
                topOilC: latest[TransformerChannels.topOilC], hotSpotC: hotSpot, hotSpotLimitC: settings.assumedHotSpotLimitC, limitAssumed: true,
                ambientC: latest[TransformerChannels.ambientC], headroomK: settings.assumedHotSpotLimitC - hotSpot)
        }
        let vuf = latest[TransformerChannels.vufPct]
            ?? (voltages.count == 3 ? SequenceComponents(nominalPhasors(PerPhase(a: voltages[0], b: voltages[1], c: voltages[2]))).unbalancePercent : nil)
        return Transformer(
            id: state.agentID, source: .telemetry, ageS: ageS, stale: ageS > settings.staleAfterS, ratedKVA: nil, phases: phases,
            loadingPercent: nil,
            importKW: latest[TransformerChannels.totalKW] ?? phases.compactMap(\.activePowerKW).reduce(0, +),
            neutralA: latest[TransformerChannels.neutralA], vufPercent: vuf, voltageInBand: inBand(voltages, settings), thermal: thermal,
            evs: evs, evKW: latest[TransformerChannels.evTotalKW] ?? (evs.isEmpty ? nil : evs.map(\.powerKW).reduce(0, +)),
            envelope: envelope.map(EnvelopeView.init))
    }

    // MARK: Plan, envelopes, rollouts

    /// The plan with every missing achievement filled from what the transformers report now: the EV fleet's power,
    /// per transformer and per phase (a three-phase charger counts a third on each), and its sum for each goal.
    static func filledIn(_ plan: DashboardPlanSummary, transformers: [Transformer]) -> DashboardPlanSummary {
        let byID = Dictionary(transformers.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var plan = plan
        for index in plan.transformers.indices {
            guard let measured = byID[plan.transformers[index].id], !measured.stale else { continue }
            plan.transformers[index].achievedKW = plan.transformers[index].achievedKW ?? measured.evKW
            for phaseIndex in plan.transformers[index].phases.indices {
                let phaseName = plan.transformers[index].phases[phaseIndex].phase
                guard let phase = Phase(rawValue: phaseName), measured.evs.allSatisfy({ $0.connection != nil }) else { continue }
                let achieved = measured.evs.reduce(0.0) { sum, ev in
                    sum + ev.powerKW * (ev.connection.flatMap(PhaseConnection.init)?.share(of: phase) ?? 0)
                }
                plan.transformers[index].phases[phaseIndex].achievedKW = plan.transformers[index].phases[phaseIndex].achievedKW ?? achieved
            }
        }
        let planned = plan.transformers.compactMap(\.achievedKW)
        for index in plan.goals.indices where plan.goals[index].achievedKW == nil && !planned.isEmpty {
            plan.goals[index].achievedKW = planned.reduce(0, +)
        }
        return plan
    }

    static func perUnit(_ volts: Double, _ settings: DashboardSettings) -> Double? {
        settings.nominalPhaseVoltageV > 0 ? volts / settings.nominalPhaseVoltageV : nil
    }

    static func inBand(_ volts: [Double], _ settings: DashboardSettings) -> Bool {
        volts.allSatisfy { perUnit($0, settings).map(settings.bandPerUnit.contains) ?? false }
    }

    /// A setting as short text: no trailing ".0".
    static func text(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
}

extension DashboardFrame.EnvelopeView {
    init(_ document: EnvelopeDocument) {
        sequence = document.sequence
        validUntilMs = Int64((document.validUntil.secondsSinceEpoch * 1000).rounded(.down))
        phases = Phase.allCases.map { Bounds(phase: $0.rawValue, minKW: document.phaseKW[$0].lowerBound, maxKW: document.phaseKW[$0].upperBound) }
        reactiveBiasKvar = document.reactiveBiasKvar
    }
}

extension DashboardFrame.RolloutView {
    init(_ rollout: Rollout) {
        let counts = rollout.counts
        self.init(
            id: rollout.id, version: rollout.version, state: rollout.state.rawValue, stage: rollout.stage, stages: rollout.plan.stages.count,
            pending: counts.pending, applied: counts.applied, rejected: counts.rejected, reverted: counts.reverted, unhealthy: counts.unhealthy,
            haltReasons: rollout.haltReasons, updatedAtMs: rollout.updatedAtMs)
    }
}
