#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension HotSpotModel {
    /// The step at which a forecast checks the hot-spot, in minutes.
    public static let forecastStepMinutes = 0.5
    /// The longest forecast horizon; longer horizons are clamped.
    public static let maximumHorizonMinutes = 24 * 60.0
    /// The upper end of the bisection bracket for `maximumLoadPU`, in per unit.
    public static let maximumSearchLoadPU = 3.0
    /// Bisection halvings: 3 pu / 2^24 ≈ 2e-7 pu, far below any meter's resolution; fixed so results are repeatable.
    /// (It runs every cycle: each halving costs one 15-minute forecast.)
    public static let bisectionIterations = 24

    /// The highest hot-spot, in °C, from `state` (included) over `horizonMinutes` at constant load and ambient,
    /// checked every `forecastStepMinutes`.
    ///
    /// A NaN or infinite load, ambient or horizon gives `+infinity`: an unknown input cannot be shown safe.
    public func forecastPeakHotSpotC(
        from state: ThermalState, loadPU: Double, ambientC: Double, horizonMinutes: Double = 15
    ) -> Double {
        guard loadPU.isFinite, ambientC.isFinite, horizonMinutes.isFinite else { return .infinity }
        let horizon = min(max(horizonMinutes, 0), Self.maximumHorizonMinutes)
        // Same difference equations and sub-steps as `step`, but the load is constant over a forecast,
        // so the steady targets are computed once, and ageing (unused here) is skipped: the headroom
        // search runs about 40 forecasts every cycle.
        let p = parameters
        let k = Self.clampedLoad(loadPU)
        let oilTarget = ambientC + topOilRiseK(loadPU: k)
        let winding = p.hotSpotGradientRatedK * pow(k, p.windingExponent)
        let h1Target = p.hotSpotOvershootK21 * winding
        let h2Target = (p.hotSpotOvershootK21 - 1) * winding
        let oilTau = p.oilTimeConstantFactorK11 * p.oilTimeConstantMinutes
        let h1Tau = p.hotSpotTimeConstantFactorK22 * p.windingTimeConstantMinutes
        let h2Tau = p.oilTimeConstantMinutes / p.hotSpotTimeConstantFactorK22
        var oil = state.topOilC
        var h1 = state.hotSpotRiseH1K
        var h2 = state.hotSpotRiseH2K
        var peak = state.hotSpotC
        var elapsed = 0.0
        while elapsed < horizon {
            let duration = min(Self.forecastStepMinutes, horizon - elapsed)
            let count = max(1, Int((duration / subStepMinutes).rounded(.up)))
            let dt = duration / Double(count)
            for _ in 0..<count {
                oil += dt / oilTau * (oilTarget - oil)
                h1 += dt / h1Tau * (h1Target - h1)
                h2 += dt / h2Tau * (h2Target - h2)
            }
            peak = max(peak, oil + h1 - h2)
            elapsed += duration
        }
        return peak
    }

    /// The largest constant K (per unit of rated |S|) that keeps the hot-spot ≤ `hotSpotLimitC` at every
    /// forecast step over the horizon; reverse flow counts the same as forward flow.
    ///
    /// Returns 0 when even K = 0 breaks the limit (no headroom: the cycle refuses discharge too, REVERSE_FLOW_DENIED),
    /// also when the hot-spot is above the limit now or any input is NaN/infinite. Returns `maximumSearchLoadPU`
    /// when that load is still within the limit. Otherwise the result is the lower bisection bound, so it is
    /// always on the safe side, within 2e-7 pu of the exact limit. Bisection relies on the hot-spot being
    /// monotone in K, which holds while k22·τw ≤ τo/k22 (the winding reacts faster than the oil).
    public func maximumLoadPU(
        from state: ThermalState, ambientC: Double, hotSpotLimitC: Double, horizonMinutes: Double = 15
    ) -> Double {
        guard ambientC.isFinite, hotSpotLimitC.isFinite, horizonMinutes.isFinite else { return 0 }
        func fits(_ k: Double) -> Bool {
            forecastPeakHotSpotC(from: state, loadPU: k, ambientC: ambientC, horizonMinutes: horizonMinutes)
                <= hotSpotLimitC
        }
        guard fits(0) else { return 0 }
        var low = 0.0
        var high = Self.maximumSearchLoadPU
        if fits(high) { return high }
        for _ in 0..<Self.bisectionIterations {
            let mid = (low + high) / 2
            if fits(mid) { low = mid } else { high = mid }
        }
        return low
    }
}
