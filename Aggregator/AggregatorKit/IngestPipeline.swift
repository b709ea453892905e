public import Telemetry

/// Limits applied to one upload before and while decoding it.
public struct IngestLimits: Sendable, Hashable {
    /// Largest request body (the compressed frame) accepted; checked before anything is decoded.
    public var maxBodyBytes: Int
    /// The decoder's hard limits, among them the largest decompressed body (a zstd bomb stops there).
    public var telemetry: TelemetryLimits

    /// Defaults: 1 MiB bodies, and the telemetry defaults (8 MiB decompressed, 256 channels, 3600 rows).
    public init(maxBodyBytes: Int = 1 << 20, telemetry: TelemetryLimits = .init()) {
        self.maxBodyBytes = maxBodyBytes
        self.telemetry = telemetry
        self.telemetry.maxFrameBytes = min(telemetry.maxFrameBytes, maxBodyBytes)
    }
}

/// One upload from authentication to acknowledgement, without HTTP: the server passes in the agent id from the
/// client certificate, the agent id from the path and the body, and sends back the `IngestDecision`.
///
/// Order: size, identity (cheap checks before any decompression), decode, identity of the frame, store.
public struct IngestPipeline: Sendable {
    public let store: any TelemetryStore
    public let limits: IngestLimits
    private let decoder: TelemetryDecoder

    /// `dictionaries`: every trained dictionary agents may compress with.
    public init(store: any TelemetryStore, limits: IngestLimits = .init(), dictionaries: [TelemetryDictionary] = []) {
        self.store = store
        self.limits = limits
        self.decoder = TelemetryDecoder(limits: limits.telemetry, dictionaries: dictionaries)
    }

    /// Decides on one upload. `certificateAgentID` is nil when the client presented no usable certificate.
    public func ingest(
        certificateAgentID: String?, pathAgentID: String, body: [UInt8], receivedAtMs: Int64
    ) -> IngestDecision {
        guard let certificateAgentID else {
            return .refuse(403, "agent.no_certificate", "no client certificate names an agent")
        }
        guard pathAgentID == certificateAgentID else {
            return .refuse(403, "agent.mismatch", "path names agent \(pathAgentID), the certificate \(certificateAgentID)")
        }
        guard body.count <= limits.maxBodyBytes else {
            return .refuse(413, "body.too_large", "body is \(body.count) bytes, the limit is \(limits.maxBodyBytes)")
        }
        let batch: TelemetryBatch
        do {
            batch = try decoder.decode(body)
        } catch {
            let tooLarge = ["frame.too_large", "frame.bomb", "frame.too_many_rows", "frame.too_many_channels"]
            return .refuse(tooLarge.contains(error.label) ? 413 : 400, error.label, error.message)
        }
        guard batch.agentID == certificateAgentID else {
            return .refuse(403, "agent.mismatch", "frame is from agent \(batch.agentID), the certificate names \(certificateAgentID)")
        }
        let result: IngestResult
        do {
            result = try store.ingest(batch: batch, frameBytes: body.count, receivedAtMs: receivedAtMs)
        } catch {
            if error.isFull { return .refuse(507, error.label, error.message) }
            if error.isAggregateOverflow { return .refuse(400, error.label, error.message) }
            return .refuse(503, error.label, error.message)
        }
        // The batch is stored: a failure to read the contiguous mark must not withhold the ack.
        let through = try? store.acknowledgedThrough(agent: batch.agentID)
        switch result {
        case .stored(let samples):
            return IngestDecision(
                status: 200, label: "stored", message: "batch \(batch.sequence) stored: \(samples) samples",
                ack: IngestAck(agentID: batch.agentID, sequence: batch.sequence, duplicate: false, acknowledgedThrough: through ?? nil),
                samples: samples)
        case .duplicate:
            return IngestDecision(
                status: 200, label: "duplicate", message: "batch \(batch.sequence) was already stored",
                ack: IngestAck(agentID: batch.agentID, sequence: batch.sequence, duplicate: true, acknowledgedThrough: through ?? nil))
        case .conflict:
            return .refuse(
                409, "sequence.conflict",
                "batch \(batch.sequence) of \(batch.agentID) was stored before with other contents (sequence reused)")
        }
    }
}
