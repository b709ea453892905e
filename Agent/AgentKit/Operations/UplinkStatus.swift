public import GridCore
public import Telemetry

/// The uplink's figures as of its last wake: the status file's `uplink` object and the `v2g_agent_uplink_*`
/// metrics (docs/uplink.md). Queue figures come from the queue file; the upload counters are since start.
public struct UplinkStatus: Sendable, Hashable, Codable {
    /// Sealed frames waiting for their acknowledgement.
    public var pendingFrames = 0
    /// Samples queued since the last seal.
    public var unsealedSamples = 0
    /// Unsealed samples plus rows in pending raw frames (what the queue cap bounds).
    public var heldRawRows = 0
    /// Raw samples dropped on overflow since the queue file was created (their minute means are kept).
    public var droppedSamples = 0
    /// Non-empty cells of those samples.
    public var droppedValues: Int64 = 0
    /// Frames the aggregator refused for good (kept aside in the queue file).
    public var rejectedFrames = 0
    /// The sequence the next sealed frame gets.
    public var nextSequence: UInt64 = 1
    /// Frames acknowledged since the agent started, duplicates included.
    public var framesAcknowledged = 0
    /// Acknowledgements saying the aggregator already had the frame (a resend after a lost answer).
    public var duplicatesAcknowledged = 0
    /// Bytes of every frame posted since start, failed attempts and resends included.
    public var frameBytesSent = 0
    /// Wakes in a row that ended on a retryable failure (0 after any wake that got through).
    public var consecutiveFailures = 0
    /// The label of the most recent failure (`http_503`, `network_timeout`, `frame.bad_crc`, a queue error), if any.
    public var lastFailure: String?
    /// When a frame was last acknowledged.
    public var lastSuccessAt: Timestamp?
    /// Every non-empty cell the agent queued, as `TelemetryLedger` figures; the checksum in 16 hex digits.
    public var producedValues: Int64 = 0
    public var producedChecksum = "0000000000000000"
    /// When these figures were taken (the uplink's last wake).
    public var updatedAt: Timestamp?

    public init() {}

    enum CodingKeys: String, CodingKey {
        case pendingFrames = "pending_frames", unsealedSamples = "unsealed_samples", heldRawRows = "held_raw_rows"
        case droppedSamples = "dropped_samples", droppedValues = "dropped_values", rejectedFrames = "rejected_frames"
        case nextSequence = "next_sequence", framesAcknowledged = "frames_acknowledged"
        case duplicatesAcknowledged = "duplicates_acknowledged", frameBytesSent = "frame_bytes_sent"
        case consecutiveFailures = "consecutive_failures", lastFailure = "last_failure", lastSuccessAt = "last_success_at"
        case producedValues = "produced_values", producedChecksum = "produced_checksum", updatedAt = "updated_at"
    }

    /// The produced ledger; nil if the checksum is not 16 hex digits (a hand-edited file).
    public var produced: TelemetryLedger? {
        guard producedChecksum.utf8.count == 16, let checksum = UInt64(producedChecksum, radix: 16) else { return nil }
        return TelemetryLedger(values: producedValues, checksum: checksum)
    }

    /// Folds in one wake: its report, and the queue's counters (nil when the queue could not be read).
    public mutating func record(_ report: UplinkDrain.Report, queue: TelemetryQueueStatus?, now: Timestamp) {
        updatedAt = now
        framesAcknowledged += report.acknowledged.count
        duplicatesAcknowledged += report.duplicates
        frameBytesSent += report.frameBytesSent
        if !report.acknowledged.isEmpty { lastSuccessAt = now }
        // The same rule as UplinkSchedule's backoff counter.
        switch report.outcome {
        case .retryableFailure: consecutiveFailures += 1
        case .drained, .backlog: consecutiveFailures = 0
        case .waited: break
        }
        if let label = report.failure?.label ?? report.queueError { lastFailure = label }
        guard let queue else { return }
        pendingFrames = queue.pendingFrames
        unsealedSamples = queue.unsealedSamples
        heldRawRows = queue.heldRawRows
        droppedSamples = queue.droppedSamples
        droppedValues = queue.droppedValues
        rejectedFrames = queue.rejectedFrames
        nextSequence = queue.nextSequence
        producedValues = queue.produced.values
        producedChecksum = Self.hex(queue.produced.checksum)
    }

    static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    /// One line for `v2g-agent status`, ending in `produced values=N checksum=HEX`.
    public func summary(now: Timestamp) -> String {
        var parts = ["uplink: \(pendingFrames) frames pending", "\(unsealedSamples) unsealed", "\(heldRawRows) raw rows held"]
        parts.append("dropped \(droppedSamples)")
        parts.append("rejected \(rejectedFrames)")
        parts.append("acked \(framesAcknowledged) (\(duplicatesAcknowledged) dup)")
        parts.append("sent \(frameBytesSent) B")
        parts.append("next seq \(nextSequence)")
        var failures = "failures \(consecutiveFailures) in a row"
        if let lastFailure { failures += " (last \(lastFailure))" }
        parts.append(failures)
        parts.append(lastSuccessAt.map { "last ack \(Int((now - $0).rounded())) s ago" } ?? "no ack yet")
        let ledger = produced.map(\.description) ?? "values=\(producedValues) checksum=\(producedChecksum)"
        return parts.joined(separator: ", ") + "; produced \(ledger)"
    }
}
