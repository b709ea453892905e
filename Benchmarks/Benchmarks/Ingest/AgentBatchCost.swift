import AggregatorBench
import AgentKit
import Foundation

/// One agent's side of a batch as `v2g-agent run` does it: 60 cycles each append a row to the SQLite telemetry
/// queue, then the uplink seals a frame, posts it with the agent's libcurl mTLS client and deletes it on the ack.
final class AgentBatchCost: @unchecked Sendable {  // used only from the benchmark's one thread
    let server: AggregatorProcess
    let queue: TelemetryQueue
    private let client: UplinkClient
    private var rows = AgentRows(seed: 7)

    init() throws {
        server = try AggregatorProcess(agents: 1)
        do {
            let agentID = server.agentIDs[0]
            queue = try TelemetryQueue(path: server.root + "/agent-queue.sqlite", agentID: agentID, channels: AgentRows.channels)
            client = try UplinkClient(settings: server.settings(agentID))
            // Wait for the server and open the connection, as the agent's first upload would.
            let deadline = Date().addingTimeInterval(60)
            try appendAndSeal()
            while !(try uploadPending()) {
                guard Date() < deadline else { throw BenchSetupError("aggregator at \(server.baseURL) did not acknowledge") }
                Thread.sleep(forTimeInterval: 0.2)
            }
        } catch {
            server.stop()
            throw error
        }
    }

    /// 60 appends (one per 1 s cycle) and the seal that frames them.
    func appendAndSeal() throws {
        for _ in 0..<60 { try queue.append(rows.nextSample()) }
        try queue.seal()
    }

    /// Posts every pending frame in order and deletes each on its acknowledgement; false on the first failure.
    @discardableResult
    func uploadPending() throws -> Bool {
        for frame in try queue.pendingFrames(limit: 16) {
            guard case .acknowledged = client.post(frame: frame.bytes, sequence: frame.sequence) else { return false }
            try queue.acknowledge(sequence: frame.sequence)
        }
        return true
    }

    /// Deletes pending frames without posting them (the no-network variant's clean-up, outside the measurement).
    func discardPending() throws {
        for frame in try queue.pendingFrames(limit: 1_000) { try queue.acknowledge(sequence: frame.sequence) }
    }
}
