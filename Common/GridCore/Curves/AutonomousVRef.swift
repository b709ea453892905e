#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// IEEE 1547-2018 §5.3.3 autonomously adjusting VRef: a first-order low-pass of the measured voltage,
/// so that Volt-VAR answers fast changes but not the steady-state level, held to 0.95–1.05 pu.
public struct AutonomousVRef: Sendable, Hashable, Codable {
    /// The range VRef may take (Table 8).
    public static let allowedRangePU: ClosedRange<Double> = 0.95...1.05

    /// Low-pass time constant (s): after one time constant 63 % of a voltage step is followed.
    public var timeConstantS: Double
    /// The current reference (pu), always inside `allowedRangePU`.
    public private(set) var vRefPU: Double

    enum CodingKeys: String, CodingKey {
        case timeConstantS = "time_constant_s"
        case vRefPU = "v_ref_pu"
    }

    /// Starts at `initialVRefPU` (clamped; a NaN start becomes 1.0).
    public init(timeConstantS: Double, initialVRefPU: Double = 1.0) {
        self.timeConstantS = timeConstantS
        self.vRefPU = initialVRefPU.isNaN ? 1.0 : Self.clamp(initialVRefPU)
    }

    /// Moves VRef toward `voltagePU` as held for `dtS`, with the exact discretisation (1 − e^(−dt/τ)) so the
    /// result does not depend on the sample period. Non-finite voltage or dt ≤ 0 keeps VRef; τ ≤ 0 follows at once.
    public mutating func update(voltagePU: Double, dtS: Double) -> Double {
        guard voltagePU.isFinite, dtS > 0 else { return vRefPU }
        let gain = timeConstantS > 0 ? -expm1(-dtS / timeConstantS) : 1
        vRefPU = Self.clamp(vRefPU + (voltagePU - vRefPU) * gain)
        return vRefPU
    }

    /// The filter's own state is clamped too, so it never winds up beyond the limits.
    static func clamp(_ v: Double) -> Double {
        min(max(v, allowedRangePU.lowerBound), allowedRangePU.upperBound)
    }
}
