import AggregatorBench
import AgentKit
import Telemetry
#if canImport(Glibc)
import Glibc
#endif

/// `agents` agents, each with its own provisioned certificate and the agent's own client (`CurlTransport`, one
/// keep-alive mTLS connection each), posting unique 60-row batches to one aggregator.
final class IngestFleet: @unchecked Sendable {  // `rows`/`sequences` are touched only by the benchmark's one task, between rounds
    let server: AggregatorProcess
    let transports: [CurlTransport]
    private var rows: [AgentRows]
    private var sequences: [UInt64]
    private(set) var posted = 0

    init(agents: Int, executable: String = AggregatorProcess.aggregatorPath, storage: String = "") async throws {
        let server = try AggregatorProcess(agents: agents, executable: executable, storage: storage)
        self.server = server
        do {
            transports = try server.agentIDs.map { try CurlTransport(settings: server.settings($0)) }
            rows = server.agentIDs.indices.map { AgentRows(seed: UInt64($0 + 1)) }
            sequences = Array(repeating: 0, count: agents)
            try await connect()
        } catch {
            server.stop()
            throw error
        }
    }

    /// One batch per agent, retried until the server (just started) answers: this also opens every connection.
    private func connect() async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        for agent in transports.indices {
            let frame = nextFrames(agent: agent, count: 1)[0]
            while true {
                let result = await transports[agent].post(frame: frame.bytes, sequence: frame.sequence)
                if case .acknowledged = result { break }
                guard ContinuousClock.now < deadline else {
                    throw BenchSetupError("aggregator at \(server.baseURL) did not acknowledge: \(result) (log: \(server.root)/aggregator.log)")
                }
                try await Task.sleep(for: .milliseconds(200))
            }
        }
    }

    /// The next `count` frames of `agent`, encoded as the agent's queue would (no dictionary, zstd level 19).
    func nextFrames(agent: Int, count: Int) -> [(sequence: UInt64, bytes: [UInt8])] {
        let encoder = TelemetryEncoder()
        return (0..<count).map { _ in
            sequences[agent] += 1
            let batch = rows[agent].batch(agentID: server.agentIDs[agent], sequence: sequences[agent])
            // A valid batch of 31 channels × 60 rows is far inside every limit, so encoding cannot fail.
            return (sequences[agent], try! encoder.encode(batch))
        }
    }

    /// Posts every frame of `frames[agent]` once, all agents at once, without retrying: how many were acknowledged
    /// and how many refused with 503 (a full write queue). Anything else stops the run.
    func flood(_ frames: [[(sequence: UInt64, bytes: [UInt8])]]) async -> (acknowledged: Int, refused503: Int) {
        await withTaskGroup(of: (Int, Int).self) { group in
            for (agent, batch) in frames.enumerated() {
                let transport = transports[agent]
                group.addTask {
                    var counts = (0, 0)
                    for frame in batch {
                        switch await transport.post(frame: frame.bytes, sequence: frame.sequence) {
                        case .acknowledged: counts.0 += 1
                        case .retryable(let failure) where failure.httpStatus == 503: counts.1 += 1
                        case let other: fatalError("batch \(frame.sequence): \(other)")
                        }
                    }
                    return counts
                }
            }
            var total = (acknowledged: 0, refused503: 0)
            for await counts in group { total.acknowledged += counts.0; total.refused503 += counts.1 }
            return total
        }
    }

    /// Posts `frames[agent]` in order on each agent's connection, all agents at once; returns each post's latency.
    /// `duplicates`: every frame was stored before, so each answer must be a duplicate acknowledgement.
    func post(_ frames: [[(sequence: UInt64, bytes: [UInt8])]], duplicates: Bool = false) async -> [Duration] {
        await withTaskGroup(of: [Duration].self) { group in
            for (agent, batch) in frames.enumerated() {
                let transport = transports[agent]
                group.addTask {
                    var latencies: [Duration] = []
                    for frame in batch {
                        let start = ContinuousClock.now
                        let result = await transport.post(frame: frame.bytes, sequence: frame.sequence)
                        latencies.append(ContinuousClock.now - start)
                        // A refused or duplicate batch would measure something else: stop loudly.
                        guard case .acknowledged(_, let duplicate) = result, duplicate == duplicates else {
                            fatalError("batch \(frame.sequence): \(result)")
                        }
                    }
                    return latencies
                }
            }
            var all: [Duration] = []
            for await latencies in group { all += latencies }
            posted += all.count
            return all
        }
    }
}

/// Process CPU time (all threads, user + system) and user time alone, in microseconds, at nanosecond resolution.
enum ProcessCPU {
    static func totalMicroseconds() -> Int {
        var now = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now)
        return now.tv_sec * 1_000_000 + now.tv_nsec / 1000
    }

    static func userMicroseconds() -> Int {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return usage.ru_utime.tv_sec * 1_000_000 + Int(usage.ru_utime.tv_usec)
    }
}

extension Duration {
    var microseconds: Int { Int(components.seconds) * 1_000_000 + Int(components.attoseconds / 1_000_000_000_000) }
}
