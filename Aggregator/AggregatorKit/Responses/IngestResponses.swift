/// The body of a 200 answer to `POST /v1/agents/{id}/telemetry`: the agent's uplink reads exactly these keys
/// (docs/uplink.md), and deletes the batch only on it.
public struct AckResponse: Encodable, Sendable, Hashable {
    public var agentID: String
    public var sequence: UInt64
    public var duplicate: Bool

    public init(_ ack: IngestAck) {
        agentID = ack.agentID
        sequence = ack.sequence
        duplicate = ack.duplicate
    }
}

/// The body of every refusal: a stable label (`agent.mismatch`, `storage.busy`, …) and, where there is one, what
/// was wrong.
public struct ErrorResponse: Encodable, Sendable, Hashable {
    public var error: String
    public var message: String?
    /// The input field at fault, as a path (`steps[2].power_kw`), when one is.
    public var field: String?

    public init(error: String, message: String? = nil, field: String? = nil) {
        self.error = error
        self.message = message
        self.field = field
    }
}
