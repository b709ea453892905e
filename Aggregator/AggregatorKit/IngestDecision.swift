/// What the aggregator acknowledges for one upload: the agent deletes the batch only on an ack (docs/uplink.md).
public struct IngestAck: Sendable, Hashable {
    public var agentID: String
    public var sequence: UInt64
    /// The batch had been stored before; it is acknowledged again, nothing was written.
    public var duplicate: Bool
    /// Every sequence from the agent's first stored one to this one is stored (nil if unknown).
    public var acknowledgedThrough: UInt64?

    public init(agentID: String, sequence: UInt64, duplicate: Bool, acknowledgedThrough: UInt64?) {
        self.agentID = agentID
        self.sequence = sequence
        self.duplicate = duplicate
        self.acknowledgedThrough = acknowledgedThrough
    }
}

/// The outcome of one upload, for the HTTP layer to send as is: status, a stable label, a human message, the ack.
public struct IngestDecision: Sendable, Hashable, CustomStringConvertible {
    /// HTTP status: 200 stored or duplicate; 400 malformed; 403 wrong agent; 409 sequence reused;
    /// 413 too large; 503 write queue full or storage unavailable (retry); 507 storage full (retry later).
    public var status: Int
    /// Short, fixed, low-cardinality: `stored`, `duplicate`, `body.too_large`, `agent.mismatch`, `frame.truncated`, …
    public var label: String
    /// What was wrong, for logs and the response body (never matched on).
    public var message: String
    /// Present only when the batch is safely stored (status 200).
    public var ack: IngestAck?
    /// Samples stored by this upload (0 for a duplicate or a refusal).
    public var samples: Int
    /// For a refusal worth retrying (503, 507): seconds the agent should wait (`Retry-After`).
    public var retryAfterSeconds: Int?

    public init(
        status: Int, label: String, message: String, ack: IngestAck? = nil, samples: Int = 0, retryAfterSeconds: Int? = nil
    ) {
        self.status = status
        self.label = label
        self.message = message
        self.ack = ack
        self.samples = samples
        self.retryAfterSeconds = retryAfterSeconds
    }

    /// Whether the agent may delete the batch.
    public var isAcknowledged: Bool { ack != nil }

    public var description: String { "\(status) \(label): \(message)" }

    static func refuse(_ status: Int, _ label: String, _ message: String, retryAfterSeconds: Int? = nil) -> Self {
        Self(status: status, label: label, message: message, retryAfterSeconds: retryAfterSeconds)
    }
}
