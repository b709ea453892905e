public import GridCore

/// A new policy on probation: if protection trips, or the safe state begins, within `windowS` of the policy being
/// applied, the policy is presumed to have caused it and the agent reverts to what was in force before. Pure: the
/// control loop feeds it each cycle's mode and trip codes with the cycle's time.
///
/// "Begins" matters: a meter that was already untrusted when the policy came is not the policy's doing (the health in
/// the report still counts those seconds, for the aggregator's gate).
public struct PolicyProbation: Sendable, Hashable, Codable {
    public enum Verdict: Sendable, Hashable {
        /// Still inside the window, nothing wrong seen.
        case holding
        /// Revert: `code` is what happened (`TRIP_OV1`, `SAFE_STATE`), `reason` says when.
        case revert(code: String, reason: String)
        /// The window passed cleanly: report the health again.
        case passed
    }

    public var version: Int
    public var appliedAt: Timestamp
    public var windowS: Double
    /// Trips seen since the policy was applied.
    public var trips = 0
    public var safeStateS = 0.0
    private var lastMode: CycleOutcome.Mode?
    private var lastTripCodes: Set<String>
    private var lastObservedAt: Timestamp

    /// `mode` and `tripCodes` are the last cycle's before the policy took over: what was already so is not new.
    public init(version: Int, appliedAt: Timestamp, windowS: Double, mode: CycleOutcome.Mode?, tripCodes: Set<String>) {
        self.version = version
        self.appliedAt = appliedAt
        self.windowS = windowS
        lastMode = mode
        lastTripCodes = tripCodes
        lastObservedAt = appliedAt
    }

    /// When the window ends.
    public var endsAt: Timestamp { appliedAt + windowS }

    /// Seconds of one cycle counted at most: a gap (the agent was stopped) is not time spent in the safe state.
    static let longestCycleS = 10.0

    /// Takes one cycle's result at `now`.
    public mutating func observe(mode: CycleOutcome.Mode, tripCodes: Set<String>, now: Timestamp) -> Verdict {
        let elapsed = min(max(0, now - lastObservedAt), Self.longestCycleS)
        if mode == .safeState { safeStateS += elapsed }
        let newTrips = tripCodes.subtracting(lastTripCodes).sorted()
        let began = mode == .safeState && lastMode != .safeState
        let ceased = mode == .ceased && lastMode != .ceased
        lastMode = mode
        lastTripCodes = tripCodes
        lastObservedAt = now
        let after = "\(Int((now - appliedAt).rounded())) s after version \(version) was applied (probation \(Int(windowS)) s)"
        if !newTrips.isEmpty || ceased {
            trips += max(1, newTrips.count)
            let code = newTrips.first ?? "TRIP"
            return .revert(code: code, reason: "protection tripped (\(newTrips.isEmpty ? "ceased to energize" : newTrips.joined(separator: ", "))) \(after)")
        }
        if began {
            return .revert(code: "SAFE_STATE", reason: "the safe state began \(after)")
        }
        return now >= endsAt ? .passed : .holding
    }
}
