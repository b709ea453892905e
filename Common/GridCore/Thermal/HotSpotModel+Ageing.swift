#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension HotSpotModel {
    /// The insulating paper, which sets the ageing law (IEC 60076-7, relative ageing rate).
    public enum Paper: String, Sendable, Hashable, Codable, CaseIterable {
        /// Non-thermally upgraded kraft paper: V = 2^((θh − 98)/6), V = 1 at 98 °C.
        case normal
        /// Thermally upgraded paper (and IEEE C57.91 F_AA): V = exp(15000/383 − 15000/(θh + 273)), V = 1 at 110 °C.
        case thermallyUpgraded = "upgraded"
    }

    /// Relative ageing rate V at a hot-spot temperature (dimensionless; 1 = normal ageing).
    ///
    /// A NaN hot-spot gives NaN; the exponent is capped at 200 °C so the rate never overflows to infinity.
    public static func relativeAgeingRate(hotSpotC: Double, paper: Paper) -> Double {
        let theta = min(hotSpotC, 200)
        switch paper {
        case .normal:
            return pow(2, (theta - 98) / 6)
        case .thermallyUpgraded:
            return exp(15_000 / 383 - 15_000 / (max(theta, -200) + 273))
        }
    }
}
