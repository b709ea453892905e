extension ControlCycle {
    /// Step 2: IEC 60076-7 hot-spot model with a forecast; caps the transformer's |S|.
    /// Reverse flow heats the windings as much as forward flow, so the cap is two-sided in P.
    func limitThermally(
        _ state: inout CycleState, _ plan: inout CyclePlan, meter: MeterReading, inputs: CycleInputs, elapsedS: Double
    ) {
        let thermal = policy.thermal
        let rated = policy.transformer.ratedKVA
        let model = HotSpotModel(parameters: thermal.parameters)
        var ambient = thermal.defaultAmbientC
        if let measured = inputs.ambientC, measured.isFinite, (-50...60).contains(measured) {
            ambient = measured
        } else {
            plan.decisions.append(Decision(.thermal, "AMBIENT_DEFAULT", "no plausible ambient reading; using \(ambient) °C"))
        }
        let topOil = inputs.topOilC.flatMap { $0.isFinite && (-50...150).contains($0) ? $0 : nil }
        let loadKVA = meter.apparentPowerKVA
        let loadPU = loadKVA / rated
        var thermalState = state.thermal ?? model.steadyState(loadPU: loadPU, ambientC: ambient)
        if elapsedS > 0 {
            thermalState = model.step(thermalState, loadPU: loadPU, ambientC: ambient, minutes: elapsedS / 60, measuredTopOilC: topOil)
        }
        state.thermal = thermalState
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
