/// Why the aggregator refused a policy request: the HTTP status, a short label (a refusal code such as
/// `OUT_OF_RANGE`, or `rollout.active`, `rollout.not_found`, …) and what was wrong.
public struct PolicyRefusal: Error, Sendable, Hashable, CustomStringConvertible {
    public let status: Int
    public let label: String
    public let message: String

    public init(_ status: Int, _ label: String, _ message: String) {
        self.status = status
        self.label = label
        self.message = message
    }

    /// `refused 400 OUT_OF_RANGE`, as the audit log writes an outcome.
    public var outcome: String { "refused \(status) \(label)" }
    public var description: String { "\(status) \(label): \(message)" }
}
