public import AggregatorKit
import Telemetry

import FoundationEssentials

/// The server's ingest and read routes on AggregatorKit: the ingest pipeline (decode with limits, identity,
/// idempotent store in one transaction) and the SQLite store (fleet view, samples as JSON or CSV).
public struct StoredTelemetry: TelemetryIngest, FleetSource {
    public let pipeline: IngestPipeline

    public init(store: any TelemetryStore, limits: IngestLimits) {
        pipeline = IngestPipeline(store: store, limits: limits)
    }

    public func ingest(certificateAgentID: String, pathAgentID: String, body: [UInt8]) async -> IngestReply {
        let decision = pipeline.ingest(
            certificateAgentID: certificateAgentID, pathAgentID: pathAgentID, body: body, receivedAtMs: Self.nowMs())
        guard let ack = decision.ack, decision.status == 200 else {
            return IngestReply(status: decision.status, reason: decision.label, ackJSON: Array(#"{"error":"\#(decision.label)"}"#.utf8))
        }
        // The agent's uplink reads exactly these keys (docs/uplink.md).
        let json = #"{"agent_id":"\#(ack.agentID)","sequence":\#(ack.sequence),"duplicate":\#(ack.duplicate)}"#
        return IngestReply(status: 200, reason: nil, ackJSON: Array(json.utf8), sampleCount: decision.samples, duplicate: ack.duplicate)
    }

    public func fleetJSON() async -> [UInt8] {
        guard let fleet = try? pipeline.store.fleet() else { return Array(#"{"error":"storage.unavailable"}"#.utf8) }
        return Array(AgentFleetState.jsonText(fleet).utf8)
    }

    public func telemetry(agent: String, fromMs: Int64, toMs: Int64, channels: [String], format: TelemetryExportFormat) async
        -> (contentType: String, bytes: [UInt8])?
    {
        guard let series = try? pipeline.store.samples(SampleQuery(agentID: agent, fromMs: fromMs, toMs: toMs, channels: channels)) else {
            return nil
        }
        switch format {
        case .json: return ("application/json", Array(series.jsonText().utf8))
        case .csv: return ("text/csv", Array(series.csvText().utf8))
        }
    }

    static func nowMs() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
    }
}
