/// Exponential backoff with full jitter: wait uniform(0, min(cap, base × 2^(n−1))) after the n-th failure in a row
/// (AWS Architecture Blog, "Exponential Backoff And Jitter", 2015): agents that lost the aggregator together
/// do not come back in step.
public struct UplinkBackoff: Sendable, Hashable {
    public var baseS: Double = 1
    public var capS: Double = 300

    public init(baseS: Double = 1, capS: Double = 300) {
        self.baseS = baseS
        self.capS = capS
    }

    /// The delay after `failures` (≥ 1) failures in a row; `unitRandom` is in [0, 1) (injected for tests).
    public func delayS(afterFailures failures: Int, unitRandom: Double) -> Double {
        let doublings = min(max(failures, 1) - 1, 62)
        let ceiling = min(capS, baseS * Double(UInt64(1) << UInt64(doublings)))
        return min(max(unitRandom, 0), 1) * ceiling
    }
}

/// The uplink's timing, as a pure state machine: when to seal, when to post, how long to sleep.
public struct UplinkSchedule: Sendable {
    /// What one wake did.
    public enum Outcome: Sendable, Hashable {
        /// Posting was not due yet (backing off); only sealing ran.
        case waited
        /// Every pending frame was acknowledged or set aside.
        case drained
        /// `framesPerWake` frames went out and more are pending.
        case backlog
        /// A retryable failure: back off.
        case retryableFailure
    }

    public var batchIntervalS: Double
    public var backoff: UplinkBackoff
    public private(set) var consecutiveFailures = 0
    /// Monotonic seconds before which no frame is posted.
    public private(set) var nextAttemptS = -Double.infinity
    public private(set) var lastSealS = -Double.infinity

    public init(batchIntervalS: Double = 10, backoff: UplinkBackoff = .init()) {
        self.batchIntervalS = max(0.1, batchIntervalS)
        self.backoff = backoff
    }

    /// Whether the rows since the last seal should become a batch now (every `batchIntervalS`).
    public mutating func shouldSeal(atS now: Double) -> Bool {
        guard now - lastSealS >= batchIntervalS else { return false }
        lastSealS = now
        return true
    }

    /// Whether posting is allowed now (not inside a backoff).
    public func shouldPost(atS now: Double) -> Bool { now >= nextAttemptS }

    /// Records a wake's outcome; returns how long to sleep before the next wake (0: go on draining at once).
    public mutating func record(_ outcome: Outcome, atS now: Double, unitRandom: Double) -> Double {
        switch outcome {
        case .retryableFailure:
            consecutiveFailures += 1
            let delay = backoff.delayS(afterFailures: consecutiveFailures, unitRandom: unitRandom)
            nextAttemptS = now + delay
            return min(delay, batchIntervalS)
        case .backlog:
            consecutiveFailures = 0
            return 0
        case .drained:
            consecutiveFailures = 0
            return batchIntervalS
        case .waited:
            return max(0, min(batchIntervalS, nextAttemptS - now))
        }
    }
}
