import FoundationEssentials
import Synchronization
public import Telemetry

/// A small in-memory ingest and fleet view for tests and demos: decodes with `TelemetryDecoder`, dedupes on (agent, sequence).
public final class InMemoryTelemetryStore: TelemetryIngest, FleetSource {
    private struct State {
        var batches: [String: [UInt64: TelemetryBatch]] = [:]
    }

    private let decoder: TelemetryDecoder
    private let state = Mutex(State())

    public init(limits: TelemetryLimits = .init()) {
        decoder = TelemetryDecoder(limits: limits)
    }

    /// Stored batches of `agent`, by sequence.
    public func batches(of agent: String) -> [UInt64: TelemetryBatch] { state.withLock { $0.batches[agent] ?? [:] } }

    public func ingest(certificateAgentID: String, pathAgentID: String, body: [UInt8]) async -> IngestReply {
        guard certificateAgentID == pathAgentID else { return Self.refusal(403, "agent.mismatch") }
        let batch: TelemetryBatch
        do throws(TelemetryFrameError) { batch = try decoder.decode(body) } catch { return Self.refusal(400, error.label) }
        guard batch.agentID == certificateAgentID else { return Self.refusal(403, "agent.frame_mismatch") }
        let inserted = state.withLock { state in
            state.batches[batch.agentID, default: [:]].updateValue(batch, forKey: batch.sequence) == nil
        }
        let ack = #"{"agent_id":"\#(batch.agentID)","sequence":\#(batch.sequence),"duplicate":\#(!inserted)}"#
        return IngestReply(
            status: 200, reason: nil, ackJSON: Array(ack.utf8), sampleCount: inserted ? batch.valueCount : 0, duplicate: !inserted
        )
    }

    public func fleetJSON() async -> [UInt8] {
        let rows = state.withLock { state in
            state.batches.keys.sorted().map { agent in
                let batches = state.batches[agent] ?? [:]
                return #"{"agent_id":"\#(agent)","batches":\#(batches.count),"last_sequence":\#(batches.keys.max() ?? 0)}"#
            }
        }
        return Array(#"{"agents":[\#(rows.joined(separator: ","))]}"#.utf8)
    }

    public func telemetry(agent: String, fromMs: Int64, toMs: Int64, channels: [String], format: TelemetryExportFormat) async
        -> (contentType: String, bytes: [UInt8])?
    {
        guard let batches = state.withLock({ $0.batches[agent] }) else { return nil }
        var lines: [String] = []
        for (_, batch) in batches.sorted(by: { $0.key < $1.key }) {
            for row in 0..<batch.rowCount where (fromMs..<toMs).contains(batch.timeMs(ofRow: row)) {
                for (channel, column) in zip(batch.channels, batch.columns) where channels.isEmpty || channels.contains(channel.name) {
                    guard let quanta = column[row] else { continue }
                    let value = channel.quantum.text(ofQuanta: quanta)
                    switch format {
                    case .csv: lines.append("\(batch.timeMs(ofRow: row)),\(channel.name),\(value)")
                    case .json: lines.append(#"{"t_ms":\#(batch.timeMs(ofRow: row)),"channel":"\#(channel.name)","value":\#(value)}"#)
                    }
                }
            }
        }
        switch format {
        case .csv: return ("text/csv", Array((["t_ms,channel,value"] + lines).joined(separator: "\n").utf8) + [0x0A])
        case .json: return ("application/json", Array("[\(lines.joined(separator: ","))]".utf8))
        }
    }

    private static func refusal(_ status: Int, _ reason: String) -> IngestReply {
        IngestReply(status: status, reason: reason, ackJSON: Array(#"{"error":"\#(reason)"}"#.utf8))
    }
}
