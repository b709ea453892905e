/// The server's view of ingest: AggregatorKit's pipeline conforms to this (the lead wires it in).
public protocol TelemetryIngest: Sendable {
    /// Decides on one uploaded frame from the agent named by its certificate, posted to the path of `pathAgentID`.
    func ingest(certificateAgentID: String, pathAgentID: String, body: [UInt8]) async -> IngestReply
}

/// An ingest decision: the HTTP status, a stable reason label when refused, and the JSON acknowledgement body.
public struct IngestReply: Sendable, Hashable {
    public var status: Int
    /// Low-cardinality label (`frame.truncated`, `agent.mismatch`, …); nil when accepted.
    public var reason: String?
    public var ackJSON: [UInt8]
    /// Samples stored by this batch (0 when refused or duplicate), for the metrics.
    public var sampleCount: Int
    /// True when the batch had been stored before.
    public var duplicate: Bool

    public init(status: Int, reason: String?, ackJSON: [UInt8], sampleCount: Int = 0, duplicate: Bool = false) {
        (self.status, self.reason, self.ackJSON, self.sampleCount, self.duplicate) = (status, reason, ackJSON, sampleCount, duplicate)
    }
}

/// Read side for operators: the fleet and one agent's stored telemetry.
public protocol FleetSource: Sendable {
    /// JSON describing every known agent.
    func fleetJSON() async -> [UInt8]
    /// One agent's samples in `[fromMs, toMs)`, restricted to `channels` (empty: all), as JSON or CSV; nil when unknown.
    func telemetry(agent: String, fromMs: Int64, toMs: Int64, channels: [String], format: TelemetryExportFormat) async
        -> (contentType: String, bytes: [UInt8])?
}

/// Export formats of `GET /v1/agents/{id}/telemetry`.
public enum TelemetryExportFormat: String, Sendable, CaseIterable {
    case json
    case csv
}
