public import GridCore

/// When to try a device again after it failed: exponential backoff with a cap and a deterministic jitter,
/// so that a dozen chargers that dropped together do not all retry on the same cycle.
/// Pure: the caller passes `now`.
public struct ReconnectBackoff: Sendable, Hashable {
    public var initialS: Double
    public var maximumS: Double
    public private(set) var consecutiveFailures = 0
    public private(set) var nextAttemptAt: Timestamp?
    /// 0…1, fixed per device (e.g. from its index) to spread retries.
    public var jitterFraction: Double

    public init(initialS: Double = 1, maximumS: Double = 60, jitterFraction: Double = 0) {
        self.initialS = initialS
        self.maximumS = maximumS
        self.jitterFraction = min(max(jitterFraction, 0), 1)
    }

    public func mayAttempt(at now: Timestamp) -> Bool {
        guard let next = nextAttemptAt else { return true }
        return now >= next
    }

    public mutating func recordFailure(at now: Timestamp) {
        consecutiveFailures += 1
        let exponent = Double(min(consecutiveFailures - 1, 30))
        var delay = min(initialS * pow2(exponent), maximumS)
        delay *= 1 + 0.25 * jitterFraction
        nextAttemptAt = now + delay
    }

    public mutating func recordSuccess() {
        consecutiveFailures = 0
        nextAttemptAt = nil
    }

    private func pow2(_ x: Double) -> Double {
        var result = 1.0
        for _ in 0..<Int(x) { result *= 2 }
        return result
    }
}
