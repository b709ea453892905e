public import Telemetry

/// Limits applied to one upload before and while decoding it, and the window its sample times must fall in.
public struct IngestLimits: Sendable, Hashable {
    /// Largest request body (the compressed frame) accepted; checked before anything is decoded.
    public var maxBodyBytes: Int
    /// The decoder's hard limits, among them the largest decompressed body (a zstd bomb stops there).
    public var telemetry: TelemetryLimits
    /// Most cells (rows × channels) one frame may hold: storing costs about a microsecond per cell, so this bounds
    /// the server time one request can take (docs/aggregator.md).
    public var maxCellsPerFrame: Int
    /// How far after the aggregator's clock a sample may be stamped (agent clocks drift; NTP keeps them close).
    public var maxFutureSkewMs: Int64
    /// How far before the aggregator's clock a sample may be stamped (older data would be pruned at once).
    public var maxAgeMs: Int64

    /// Defaults: 1 MiB bodies, the telemetry defaults (8 MiB decompressed, 256 channels, 3600 rows, 32,768 cells),
    /// 5 minutes ahead, 2 years back.
    public init(
        maxBodyBytes: Int = 1 << 20, telemetry: TelemetryLimits = .init(),
        maxCellsPerFrame: Int = TelemetryLimits.defaultMaxCells,
        maxFutureSkewMs: Int64 = 300_000, maxAgeMs: Int64 = 730 * 86_400_000
    ) {
        self.maxBodyBytes = maxBodyBytes
        self.telemetry = telemetry
        self.telemetry.maxFrameBytes = min(telemetry.maxFrameBytes, maxBodyBytes)
        self.maxCellsPerFrame = maxCellsPerFrame
        // The decoder checks the cell count from a version-2 frame's header, before decompressing anything.
        self.telemetry.maxCells = min(telemetry.maxCells, maxCellsPerFrame)
        self.maxFutureSkewMs = maxFutureSkewMs
        self.maxAgeMs = maxAgeMs
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
    ) async -> IngestDecision {
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
        if let refusal = check(batch, receivedAtMs: receivedAtMs) { return refusal }
        let receipt: IngestReceipt
        do {
            receipt = try await store.ingest(batch: batch, frameBytes: body.count, receivedAtMs: receivedAtMs)
        } catch {
            if error.isBusy { return .refuse(503, error.label, error.message, retryAfterSeconds: 1) }
            if error.isFull { return .refuse(507, error.label, error.message, retryAfterSeconds: 60) }
            if error.isAggregateOverflow { return .refuse(400, error.label, error.message) }
            return .refuse(503, error.label, error.message, retryAfterSeconds: 5)
        }
        switch receipt.result {
        case .stored(let samples):
            return IngestDecision(
                status: 200, label: "stored", message: "batch \(batch.sequence) stored: \(samples) samples",
                ack: IngestAck(
                    agentID: batch.agentID, sequence: batch.sequence, duplicate: false, acknowledgedThrough: receipt.acknowledgedThrough),
                samples: samples)
        case .duplicate:
            return IngestDecision(
                status: 200, label: "duplicate", message: "batch \(batch.sequence) was already stored",
                ack: IngestAck(
                    agentID: batch.agentID, sequence: batch.sequence, duplicate: true, acknowledgedThrough: receipt.acknowledgedThrough))
        case .conflict:
            return .refuse(
                409, "sequence.conflict",
                "batch \(batch.sequence) of \(batch.agentID) was stored before with other contents (sequence reused)")
        }
    }

    /// Refuses what the decoder accepts but the store must not take: a frame too costly to store, a sequence at
    /// either end of its range, sample times outside the window around the aggregator's clock (docs/aggregator.md).
    func check(_ batch: TelemetryBatch, receivedAtMs: Int64) -> IngestDecision? {
        let cells = batch.rowCount * batch.channels.count
        guard cells <= limits.maxCellsPerFrame else {
            return .refuse(
                413, "frame.too_large",
                "\(batch.rowCount) rows × \(batch.channels.count) channels = \(cells) cells, the limit is \(limits.maxCellsPerFrame)")
        }
        // Agents number batches from 1; the top value would leave no room for the contiguous acknowledgement.
        guard batch.sequence != 0, batch.sequence != .max else {
            return .refuse(400, "sequence.invalid", "sequence \(batch.sequence) is reserved (valid: 1…2^64−2)")
        }
        guard batch.rowCount > 0 else { return nil }
        // Saturating: a start time near ±2^63 must not wrap into the window.
        let (first, last) = (batch.timeMs(ofRow: 0), batch.timeMs(ofRow: batch.rowCount - 1))
        let latest = receivedAtMs.addingReportingOverflow(limits.maxFutureSkewMs)
        let earliest = receivedAtMs.subtractingReportingOverflow(limits.maxAgeMs)
        let newest = max(first, last), oldest = min(first, last)
        if !latest.overflow, newest > latest.partialValue {
            return .refuse(
                400, "time.future",
                "sample at \(newest) ms is \(newest - receivedAtMs) ms after the aggregator's clock; "
                    + "the limit is \(limits.maxFutureSkewMs) ms (check the agent's NTP)")
        }
        if !earliest.overflow, oldest < earliest.partialValue {
            return .refuse(
                400, "time.past",
                "sample at \(oldest) ms is older than \(limits.maxAgeMs / 86_400_000) days before the aggregator's clock")
        }
        return nil
    }
}
