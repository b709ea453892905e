#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The time response IEEE 1547.1 asks of a curve function: a first-order lag with τ = Tr / ln 10, so a step
/// has covered exactly 90 % at the open-loop response time Tr.
public struct OpenLoopResponse: Sendable, Hashable, Codable {
    /// Open-loop response time Tr (s). Tr ≤ 0 (or NaN) passes the target straight through.
    public let responseTimeS: Double
    /// The current output.
    public private(set) var output: Double

    enum CodingKeys: String, CodingKey {
        case responseTimeS = "response_time_s"
        case output
    }

    /// Starts in steady state at `initial`.
    public init(responseTimeS: Double, initial: Double) {
        self.responseTimeS = responseTimeS
        self.output = initial
    }

    /// τ = Tr / ln 10 (s).
    public var timeConstantS: Double { responseTimeS / log(10) }

    /// Moves the output toward `target` as if held for `dtS`, with the exact step e^(−dt/τ): the result after a
    /// given time does not depend on how it was cut into samples. dt ≤ 0, NaN dt or a non-finite target
    /// keep the last output; a non-finite output (NaN start) jumps to the target.
    public mutating func advance(toward target: Double, dtS: Double) -> Double {
        guard target.isFinite, dtS > 0 else { return output }
        guard responseTimeS > 0, output.isFinite else {
            output = target
            return output
        }
        // 1 − e^(−dt/τ) via expm1 keeps precision for dt ≪ τ.
        let covered = -expm1(-dtS / timeConstantS)
        output += (target - output) * covered
        return output
    }

    /// Jumps to `value` (steady state), e.g. when the function is re-enabled.
    public mutating func reset(to value: Double) {
        output = value
    }
}
