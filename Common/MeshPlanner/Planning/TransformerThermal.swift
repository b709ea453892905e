import GridCore

/// One transformer's thermal limit over the plan's horizon, from its reported temperatures (IEC 60076-7 model).
struct TransformerThermal: Sendable {
    let model: HotSpotModel
    let state: ThermalState
    let ambientC: Double
    /// The hot-spot the plan aims under: the policy's limit less its margin, as the agent's thermal step does.
    let aimC: Double
    let horizonMinutes: Double
    let ratedKVA: Double
    /// The largest constant K = |S|/S_rated that keeps the forecast hot-spot ≤ `aimC` over the horizon.
    let maxLoadPU: Double

    init(_ report: TransformerReport, horizonMinutes planHorizon: Double) {
        let t = report.thermal
        model = HotSpotModel(parameters: t.parameters)
        // The reported hot-spot rise split as in a steady state: Δθh1 = k21·Δθh, Δθh2 = (k21 − 1)·Δθh.
        let rise = max(0, t.hotSpotC - t.topOilC)
        let k21 = model.parameters.hotSpotOvershootK21
        state = ThermalState(topOilC: t.topOilC, hotSpotRiseH1K: k21 * rise, hotSpotRiseH2K: (k21 - 1) * rise)
        ambientC = t.ambientC
        aimC = t.hotSpotLimitC - t.marginK
        horizonMinutes = max(planHorizon, t.horizonMinutes)
        ratedKVA = report.ratedKVA
        maxLoadPU = model.maximumLoadPU(from: state, ambientC: ambientC, hotSpotLimitC: aimC, horizonMinutes: horizonMinutes)
    }

    /// The highest forecast hot-spot over the horizon at a constant |S| in kVA.
    func forecastPeakC(loadKVA: Double) -> Double {
        model.forecastPeakHotSpotC(from: state, loadPU: loadKVA / ratedKVA, ambientC: ambientC, horizonMinutes: horizonMinutes)
    }
}
