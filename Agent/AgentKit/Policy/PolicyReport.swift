import FoundationEssentials
public import GridCore

/// What the agent tells the aggregator about a bundle (`POST /v1/agents/{id}/policy-report`): applied, rejected with
/// its refusal code, or reverted on probation, with the agent's health, so that the rollout's health gate can halt a
/// wave. Every key is always written (empty `code` and `reason` when applied).
public struct PolicyReport: Sendable, Hashable, Codable {
    public enum Result: String, Sendable, Hashable, Codable {
        case applied, rejected, reverted
    }

    /// Protection trips, seconds in the safe state and the alarms in force, over the time the report covers (since
    /// the policy was applied; at a refusal, the alarms only).
    public struct Health: Sendable, Hashable, Codable {
        public var trips: Int
        public var safeStateS: Double
        public var alarms: [String]

        public init(trips: Int = 0, safeStateS: Double = 0, alarms: [String] = []) {
            self.trips = trips
            self.safeStateS = safeStateS
            self.alarms = alarms
        }

        enum CodingKeys: String, CodingKey { case trips, safeStateS = "safe_state_s", alarms }
    }

    /// The bundle's version (0 when a refused bundle's version could not be read at all).
    public var version: Int
    public var result: Result
    /// The refusal code (`UNSIGNED`, …) or, for a revert, what tripped (`TRIP_OV1`, `SAFE_STATE`).
    public var code: String
    public var reason: String
    public var health: Health
    /// RFC 3339, the agent's clock.
    public var at: String

    public init(version: Int, result: Result, code: String = "", reason: String = "", health: Health = .init(), at: Timestamp) {
        self.version = version
        self.result = result
        self.code = code
        self.reason = reason
        self.health = health
        self.at = at.rfc3339
    }

    /// The JSON body, keys sorted.
    public func body() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Strings, integers and a finite double: encoding cannot fail.
        return (try? Array(encoder.encode(self))) ?? []
    }
}
