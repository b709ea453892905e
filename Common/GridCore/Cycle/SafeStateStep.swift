extension ControlCycle {
    /// Safe state (bad meter data): discharge 0, and each charger's charging held at the lowest of the policy's
    /// fallback, what the charger drew or was told before (the safe state never raises a charger), and its share
    /// of what the thermal limit still allows. Losing the meter must not heat a hot transformer.
    func holdSafeState(_ state: inout CycleState, _ plan: inout CyclePlan, inputs: CycleInputs, elapsedS: Double, now: Timestamp) {
        plan.forbidDischarge()
        for i in plan.chargers.indices {
            let charger = plan.chargers[i]
            var before = [state.written[charger.id]?.setpoint.activePowerKW]
            if charger.online { before.append(charger.measuredKW) }
            let drewKW = before.compactMap { $0 }.filter(\.isFinite).map { max($0, 0) }.min() ?? 0
            plan.setpointKW[i] = max(0, min(max(plan.requestKW[i], 0), plan.maxKW[i], policy.fallbackChargeKW, drewKW))
        }
        plan.reactivePU = PerPhase(repeating: 0)
        plan.decisions.append(Decision(
            .protection, "SAFE_STATE",
            "meter data not trusted: discharge 0, charging held at ≤ \(policy.fallbackChargeKW) kW per charger and never raised"))

        guard let capKW = safeStateThermalCapKW(&state, &plan, inputs: inputs, elapsedS: elapsedS) else { return }
        let totalKW = plan.setpointKW.reduce(0, +)
        guard totalKW > capKW else { return }
        let factor = totalKW > 0 ? max(capKW, 0) / totalKW : 0
        for i in plan.setpointKW.indices { plan.setpointKW[i] *= factor }
        plan.decisions.append(Decision(
            .thermal, "THERMAL_LIMIT",
            "safe state: EV charging capped at \(rounded(max(capKW, 0))) kW to keep the hot-spot ≤ \(policy.thermal.hotSpotLimitC) °C"))
    }

    /// What the EV fleet may draw in the safe state without the hot-spot passing its limit over the horizon. The
    /// thermal state is run forward at the last trusted load, with the top-oil probe where it answers; without it,
    /// no cooling is credited while blind. nil when there is no thermal state to start from (said in a decision).
    private func safeStateThermalCapKW(
        _ state: inout CycleState, _ plan: inout CyclePlan, inputs: CycleInputs, elapsedS: Double
    ) -> Double? {
        let thermal = policy.thermal
        let model = HotSpotModel(parameters: thermal.parameters)
        let (ambient, topOil) = temperatures(inputs, &plan)
        guard let last = state.thermal, let load = state.trustedLoad else {
            plan.decisions.append(Decision(
                .thermal, "THERMAL_UNKNOWN", "safe state with no trusted load yet: charging held per charger only"))
            return nil
        }
        var advanced = model.step(last, loadPU: load.loadPU, ambientC: ambient, minutes: elapsedS / 60, measuredTopOilC: topOil)
        if topOil == nil { advanced.topOilC = max(advanced.topOilC, last.topOilC) }
        advanced.hotSpotRiseH1K = max(advanced.hotSpotRiseH1K, last.hotSpotRiseH1K)
        advanced.hotSpotRiseH2K = min(advanced.hotSpotRiseH2K, last.hotSpotRiseH2K)
        state.thermal = advanced
        plan.figures.hotSpotC = advanced.hotSpotC
        let maxLoadPU = model.maximumLoadPU(
            from: advanced, ambientC: ambient, hotSpotLimitC: thermal.hotSpotLimitC - thermal.marginK,
            horizonMinutes: thermal.horizonMinutes)
        let allowedKVA = maxLoadPU * policy.transformer.ratedKVA
        plan.figures.allowedKVA = allowedKVA
        guard maxLoadPU > 0 else { return 0 }
        let headroomKW = max(0, allowedKVA * allowedKVA - load.reactiveKvar * load.reactiveKvar).squareRoot()
        return headroomKW - load.householdKW
    }
}
