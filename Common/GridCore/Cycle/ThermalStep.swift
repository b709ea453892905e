extension ControlCycle {
    /// Step 2: IEC 60076-7 hot-spot model with a forecast; caps the transformer's |S|.
    /// Reverse flow heats the windings as much as forward flow, so the cap is two-sided in P.
    func limitThermally(
        _ state: inout CycleState, _ plan: inout CyclePlan, meter: MeterReading, inputs: CycleInputs, elapsedS: Double
    ) {
        let thermal = policy.thermal
        let rated = policy.transformer.ratedKVA
        let model = HotSpotModel(parameters: thermal.parameters)
        let (ambient, topOil) = temperatures(inputs, &plan)
        let loadKVA = meter.apparentPowerKVA
        let loadPU = loadKVA / rated
        var thermalState = state.thermal ?? model.steadyState(loadPU: loadPU, ambientC: ambient)
        if elapsedS > 0 {
            thermalState = model.step(thermalState, loadPU: loadPU, ambientC: ambient, minutes: elapsedS / 60, measuredTopOilC: topOil)
        }
        state.thermal = thermalState
        let evKW = plan.chargers.reduce(0) { $0 + ($1.online && $1.measuredKW.isFinite ? $1.measuredKW : 0) }
        state.trustedLoad = TrustedLoad(
            loadPU: loadPU, householdKW: meter.activePowerKW.sum - evKW, reactiveKvar: meter.reactivePowerKvar.sum)
        let maxLoadPU = model.maximumLoadPU(
            from: thermalState, ambientC: ambient, hotSpotLimitC: thermal.hotSpotLimitC - thermal.marginK,
            horizonMinutes: thermal.horizonMinutes)
        let allowedKVA = maxLoadPU * rated
        plan.figures.loadKVA = loadKVA
        plan.figures.allowedKVA = allowedKVA
        plan.figures.hotSpotC = thermalState.hotSpotC
        plan.figures.ageingRate = HotSpotModel.relativeAgeingRate(hotSpotC: thermalState.hotSpotC, paper: .normal)
        plan.figures.forecastHotSpotC = model.forecastPeakHotSpotC(
            from: thermalState, loadPU: loadPU, ambientC: ambient, horizonMinutes: thermal.horizonMinutes)
        plan.figures.phaseLoadingPercent = PerPhase { phase in
            Phasor(real: meter.activePowerKW[phase], imaginary: meter.reactivePowerKvar[phase]).magnitude / (rated / 3) * 100
        }

        guard maxLoadPU > 0 else {
            plan.forbidDischarge()
            plan.forbidCharging()
            plan.decisions.append(Decision(
                .thermal, "REVERSE_FLOW_DENIED",
                "no thermal headroom (hot-spot \(rounded(thermalState.hotSpotC)) °C, limit \(thermal.hotSpotLimitC) °C): charging and discharge refused"))
            return
        }
        // EV fleet bounds that keep |S| within the cap: (base + ΣP)² + Q² ≤ S².
        let baseKW = meter.activePowerKW.sum - plan.chargers.reduce(0) { $0 + ($1.online ? $1.measuredKW : 0) }
        let reactiveKvar = meter.reactivePowerKvar.sum
        let headroomKW = max(0, allowedKVA * allowedKVA - reactiveKvar * reactiveKvar).squareRoot()
        _ = plan.narrowFleet((-headroomKW - baseKW)...(headroomKW - baseKW))
        if headroomKW - baseKW < plan.uncoordinatedKW.reduce(0, +) {
            plan.decisions.append(Decision(
                .thermal, "THERMAL_LIMIT",
                "EV charging capped at \(rounded(headroomKW - baseKW)) kW to keep the hot-spot ≤ \(thermal.hotSpotLimitC) °C over \(thermal.horizonMinutes) min"))
        }
        if -headroomKW - baseKW >= 0 {
            plan.forbidDischarge()
            plan.decisions.append(Decision(
                .thermal, "REVERSE_FLOW_DENIED",
                "reverse flow already uses the thermal headroom: discharge refused"))
        }
    }
}

extension ControlCycle {
    /// The ambient (the policy's default when no plausible reading, said in a decision) and the top-oil probe
    /// when it reads a plausible value.
    func temperatures(_ inputs: CycleInputs, _ plan: inout CyclePlan) -> (ambientC: Double, topOilC: Double?) {
        var ambient = policy.thermal.defaultAmbientC
        if let measured = inputs.ambientC, measured.isFinite, (-50...60).contains(measured) {
            ambient = measured
        } else {
            plan.decisions.append(Decision(.thermal, "AMBIENT_DEFAULT", "no plausible ambient reading; using \(ambient) °C"))
        }
        return (ambient, inputs.topOilC.flatMap { $0.isFinite && (-50...150).contains($0) ? $0 : nil })
    }
}

/// The transformer's load at the last cycle whose meter was trusted.
public struct TrustedLoad: Sendable, Hashable, Codable {
    /// K = |S| / S_rated.
    public var loadPU: Double
    /// The meter's P less what the chargers drew: the households (and any PV).
    public var householdKW: Double
    public var reactiveKvar: Double

    public init(loadPU: Double, householdKW: Double, reactiveKvar: Double) {
        self.loadPU = loadPU
        self.householdKW = householdKW
        self.reactiveKvar = reactiveKvar
    }

    enum CodingKeys: String, CodingKey {
        case loadPU = "load_pu", householdKW = "household_kw", reactiveKvar = "reactive_kvar"
    }
}

/// A number for a decision message, to `digits` decimals (10 → 0.1, 100 → 0.01). Formats through
/// integers: Double's shortest-representation printing is the slowest part of building a message.
func rounded(_ value: Double, _ digits: Double = 10) -> String {
    guard value.isFinite, abs(value) < 1e12 else { return "\(value)" }
    let scaled = Int((abs(value) * digits).rounded())
    let places = digits >= 100 ? 2 : (digits >= 10 ? 1 : 0)
    let unit = places == 2 ? 100 : (places == 1 ? 10 : 1)
    var text = String(scaled / unit)
    if places > 0 {
        let fraction = String(scaled % unit)
        text += "." + String(repeating: "0", count: places - fraction.count) + fraction
    }
    return value < 0 && scaled != 0 ? "-" + text : text
}
