#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The IEC 60076-7 Annex C top-oil and hot-spot model (difference-equation form), pure and deterministic.
///
/// Rules for bad inputs, so that nothing poisons the state:
/// - the load factor K is clamped to 0…`maximumModelledLoadPU` (reverse flow is passed as |S|/S_rated ≥ 0);
/// - a NaN or infinite load or ambient makes `step` hold the temperatures while loss of life still accrues
///   at the held hot-spot (time passes, the paper still ages); `steadyState` reads it as 0 pu / 20 °C;
/// - a NaN, infinite or non-positive step length leaves the state unchanged; a step is capped at one week;
/// - a NaN or infinite measured top-oil is ignored (the top-oil is modelled instead).
public struct HotSpotModel: Sendable {
    /// The thermal parameters, inside their allowed ranges.
    public let parameters: ThermalParameters
    /// The paper whose ageing law integrates loss of life.
    public let paper: Paper

    /// The largest load factor the model integrates; larger inputs are clamped.
    public static let maximumModelledLoadPU = 10.0
    /// The longest single step; longer gaps are clamped (the model is in steady state long before).
    public static let maximumStepMinutes = 7 * 24 * 60.0
    /// The accuracy cap on a sub-step: the standard's worked example is computed at Dt = 0.5 min.
    public static let accuracySubStepMinutes = 0.5

    /// A model over parameters clamped into their allowed ranges, so the equations never divide by zero.
    ///
    /// Validate first (`ThermalParameters.validate()`, or `init(validating:paper:)`) to reject bad input instead.
    public init(parameters: ThermalParameters = .onanDistribution, paper: Paper = .normal) {
        self.parameters = parameters.clampedToAllowedRanges()
        self.paper = paper
    }

    /// Throws a `ThermalError` naming the field if the parameters are NaN, infinite or out of range.
    public init(validating parameters: ThermalParameters, paper: Paper = .normal) throws(ThermalError) {
        try parameters.validate()
        self.init(parameters: parameters, paper: paper)
    }

    /// The longest sub-step used by `step`, in minutes.
    ///
    /// IEC 60076-7 Annex C: for a stable solution Dt should be as small as possible and never more than half
    /// the smallest time constant (k11·τo, k22·τw, τo/k22); it is further capped at 0.5 min for accuracy.
    public var subStepMinutes: Double {
        let p = parameters
        let smallest = min(
            p.oilTimeConstantFactorK11 * p.oilTimeConstantMinutes,
            p.hotSpotTimeConstantFactorK22 * p.windingTimeConstantMinutes,
            p.oilTimeConstantMinutes / p.hotSpotTimeConstantFactorK22
        )
        return min(smallest / 2, Self.accuracySubStepMinutes)
    }

    /// The steady state reached at a constant load and ambient (the fixed point of the Annex C equations).
    public func steadyState(loadPU: Double, ambientC: Double) -> ThermalState {
        let k = Self.clampedLoad(loadPU.isFinite ? loadPU : 0)
        let ambient = ambientC.isFinite ? ambientC : 20
        let p = parameters
        let winding = p.hotSpotGradientRatedK * pow(k, p.windingExponent)
        return ThermalState(
            topOilC: ambient + topOilRiseK(loadPU: k),
            hotSpotRiseH1K: p.hotSpotOvershootK21 * winding,
            hotSpotRiseH2K: (p.hotSpotOvershootK21 - 1) * winding
        )
    }

    /// The starting state: no-load steady state at `ambientC`, overridden by `initial_top_oil_c` and
    /// `initial_hot_spot_rise`.
    ///
    /// A given hot-spot rise Δθh is split as in the steady state: Δθh1 = k21·Δθh, Δθh2 = (k21 − 1)·Δθh. With
    /// no rise given both are 0 (a no-load history), which reproduces the standard's worked example
    /// (top-oil 38.3 °C, hot-spot 83.8 °C after 190 min at K = 1).
    public func initialState(ambientC: Double) -> ThermalState {
        var state = steadyState(loadPU: 0, ambientC: ambientC)
        if let topOil = parameters.initialTopOilC { state.topOilC = topOil }
        if let rise = parameters.initialHotSpotRiseK {
            state.hotSpotRiseH1K = parameters.hotSpotOvershootK21 * rise
            state.hotSpotRiseH2K = (parameters.hotSpotOvershootK21 - 1) * rise
        }
        return state
    }

    /// Advances the state by `minutes` at constant load K = |S|/S_rated and ambient (IEC 60076-7 Annex C).
    ///
    /// With `measuredTopOilC`, the sensor replaces the top-oil state and only the hot-spot rise is modelled.
    public func step(
        _ s: ThermalState, loadPU: Double, ambientC: Double, minutes: Double, measuredTopOilC: Double? = nil
    ) -> ThermalState {
        guard minutes.isFinite, minutes > 0 else { return s }
        let duration = min(minutes, Self.maximumStepMinutes)
        guard loadPU.isFinite, ambientC.isFinite else {
            var held = s
            held.lossOfLifeHours += Self.relativeAgeingRate(hotSpotC: s.hotSpotC, paper: paper) * duration / 60
            return held
        }
        let measured = measuredTopOilC.flatMap { $0.isFinite ? $0 : nil }
        let k = Self.clampedLoad(loadPU)
        let p = parameters
        let oilTarget = ambientC + topOilRiseK(loadPU: k)
        let winding = p.hotSpotGradientRatedK * pow(k, p.windingExponent)
        let h1Target = p.hotSpotOvershootK21 * winding
        let h2Target = (p.hotSpotOvershootK21 - 1) * winding
        let oilTau = p.oilTimeConstantFactorK11 * p.oilTimeConstantMinutes
        let h1Tau = p.hotSpotTimeConstantFactorK22 * p.windingTimeConstantMinutes
        let h2Tau = p.oilTimeConstantMinutes / p.hotSpotTimeConstantFactorK22

        let count = max(1, Int((duration / subStepMinutes).rounded(.up)))
        let dt = duration / Double(count)
        var next = s
        if let measured { next.topOilC = measured }
        var rate = Self.relativeAgeingRate(hotSpotC: next.hotSpotC, paper: paper)
        for _ in 0..<count {
            // Dθo = Dt/(k11·τo)·[((1+K²R)/(1+R))^x·Δθor − (θo − θa)], and the two hot-spot terms.
            if measured == nil { next.topOilC += dt / oilTau * (oilTarget - next.topOilC) }
            next.hotSpotRiseH1K += dt / h1Tau * (h1Target - next.hotSpotRiseH1K)
            next.hotSpotRiseH2K += dt / h2Tau * (h2Target - next.hotSpotRiseH2K)
            // Loss of life L = ∫V dt (IEC 60076-7), trapezoidal over the sub-step.
            let nextRate = Self.relativeAgeingRate(hotSpotC: next.hotSpotC, paper: paper)
            next.lossOfLifeHours += (rate + nextRate) / 2 * dt / 60
            rate = nextRate
        }
        return next
    }

    /// Steady top-oil rise ((1 + K²R)/(1 + R))^x · Δθor, in kelvin.
    func topOilRiseK(loadPU k: Double) -> Double {
        let p = parameters
        return pow((1 + k * k * p.lossRatio) / (1 + p.lossRatio), p.oilExponent) * p.topOilRiseRatedK
    }

    static func clampedLoad(_ loadPU: Double) -> Double {
        min(max(loadPU, 0), maximumModelledLoadPU)
    }
}
