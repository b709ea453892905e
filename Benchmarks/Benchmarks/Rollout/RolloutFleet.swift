import AggregatorBench
import AggregatorKit
import AggregatorTesting
import EdgeCurl
import Foundation
import GridCore
import PolicyTrust
import Synchronization

/// The real `v2g-aggregator serve` pinning a test root, `agents` simulated agents with a certificate each, and an
/// operator. Each agent does what the agent's fetcher does, on its own mutual-TLS connection: a conditional GET of
/// its bundle every `pollInterval` (jittered), the agent's own verification of a new bundle, and a report.
final class RolloutFleet: @unchecked Sendable {  // the agents' state is touched only by their own task, one rollout at a time
    let server: AggregatorProcess
    let fixture: SignedPolicyFixture
    let agents: [SimulatedAgent]
    let operatorClient: CurlClient
    let pollInterval: Duration
    private(set) var nextVersion = 1

    init(agents count: Int, pollInterval: Duration) async throws {
        self.pollInterval = pollInterval
        fixture = SignedPolicyFixture(expires: Timestamp(secondsSinceEpoch: Date().timeIntervalSince1970 + 365 * 86_400))
        let rootFile = NSTemporaryDirectory() + "v2g-rollout-bench-root-\(getpid()).json"
        try Data(fixture.root.signedBytes).write(to: URL(fileURLWithPath: rootFile))
        let server = try AggregatorProcess(agents: count, config: #""trust": {"root_file": "\#(rootFile)"}"#)
        self.server = server
        do {
            agents = try server.agentIDs.map { id in
                let tls = MutualTLSFiles(
                    caPath: server.ca + "/ca.crt", certificatePath: server.ca + "/agents/\(id).crt", keyPath: server.ca + "/agents/\(id).key")
                return SimulatedAgent(
                    id: id, client: try CurlClient(settings: CurlSettings(tls: tls, connectTimeoutS: 10, totalTimeoutS: 60, maxResponseBytes: 1 << 20), label: id))
            }
            let kit = server.operatorKit
            operatorClient = try CurlClient(
                settings: CurlSettings(
                    tls: MutualTLSFiles(caPath: kit + "/ca.crt", certificatePath: kit + "/operator.crt", keyPath: kit + "/operator.key"),
                    totalTimeoutS: 60, maxResponseBytes: 8 << 20),
                label: "operator")
            try await waitForServer()
        } catch {
            server.stop()
            throw error
        }
    }

    private func waitForServer() async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            if case .response(let response)? = try? await operatorClient.get(server.baseURL + "/healthz"), response.status == 200 { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw BenchSetupError("aggregator at \(server.baseURL) did not answer (log: \(server.logPath))")
    }

    /// What one rollout cost.
    struct Figures {
        var elapsed: Duration
        var serverCPUMicroseconds: Int
        var counts: SimulatedAgent.Counts
    }

    /// Starts a rollout of a new version to every agent and runs the agents until the aggregator says it is done.
    func rollOut(canary: Int, waves: Int, soakS: Int) async throws -> Figures {
        let version = nextVersion
        nextVersion += 1
        let bundle = try fixture.bundle(version: version, now: Timestamp(secondsSinceEpoch: Date().timeIntervalSince1970))
        let request = RolloutRequest(bundle: bundle, canary: canary, waves: waves, soakS: soakS, maxFailures: 0, agents: agents.map(\.id))
        let counts = SimulatedAgent.Tally()
        let cpuBefore = server.cpuMicroseconds()
        let start = ContinuousClock.now
        let started = try await operatorClient.post(server.baseURL + "/v1/rollouts", body: request.encoded(), headers: ["Content-Type: application/json"])
        guard started.status == 201 else {
            throw BenchSetupError("rollout of version \(version) refused: \(started.status) \(String(decoding: started.body, as: UTF8.self))")
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for agent in agents {
                group.addTask { [fixture, pollInterval] in
                    await agent.run(root: fixture.root, baseURL: self.server.baseURL, pollInterval: pollInterval, tally: counts)
                }
            }
            group.addTask { try await self.waitUntilDone(version: version) }
            // The watcher returns when the rollout is done; the agents stop then.
            try await group.next()
            group.cancelAll()
        }
        let elapsed = ContinuousClock.now - start
        return Figures(elapsed: elapsed, serverCPUMicroseconds: server.cpuMicroseconds() - cpuBefore, counts: counts.snapshot)
    }

    private func waitUntilDone(version: Int) async throws {
        struct List: Decodable {
            struct Item: Decodable {
                let version: Int
                let state: String
                let halt_reasons: [String]
            }
            let rollouts: [Item]
        }
        let deadline = ContinuousClock.now + .seconds(900)
        while ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(250))
            guard case .response(let response) = try await operatorClient.get(server.baseURL + "/v1/rollouts"), response.status == 200,
                  let item = try JSONDecoder().decode(List.self, from: Data(response.body)).rollouts.first(where: { $0.version == version })
            else { continue }
            if item.state == "done" { return }
            if item.state != "running" { throw BenchSetupError("rollout of version \(version) is \(item.state): \(item.halt_reasons)") }
        }
        throw BenchSetupError("rollout of version \(version) did not finish in 15 minutes (log: \(server.logPath))")
    }
}

/// One simulated agent: its certificate's libcurl client, the version it installed and the entity tag it holds.
final class SimulatedAgent: @unchecked Sendable {  // `etag` and `installed` are touched only by this agent's one task
    let id: String
    let client: CurlClient
    private var etag: String?
    private var installed = 0

    init(id: String, client: CurlClient) {
        self.id = id
        self.client = client
    }

    struct Counts: Sendable {
        var bundles = 0
        var notModified = 0
        var none = 0
        var reports = 0
        var failures = 0
    }

    /// The fleet's counts, from every agent's task.
    final class Tally: Sendable {
        private let counts = Mutex(Counts())
        func add(_ change: (inout Counts) -> Void) { counts.withLock { change(&$0) } }
        var snapshot: Counts { counts.withLock { $0 } }
    }

    /// Polls until cancelled: the first poll at a random point of the interval, so a thousand agents do not ask at once.
    func run(root: TrustRoot, baseURL: String, pollInterval: Duration, tally: Tally) async {
        let interval = Double(pollInterval.components.seconds) + Double(pollInterval.components.attoseconds) / 1e18
        var wait = Double.random(in: 0..<interval)
        while !Task.isCancelled {
            do { try await Task.sleep(for: .milliseconds(Int(wait * 1000))) } catch { return }
            wait = interval * Double.random(in: 0.8...1.2)
            await poll(root: root, baseURL: baseURL, tally: tally)
        }
    }

    private func poll(root: TrustRoot, baseURL: String, tally: Tally) async {
        let result: ConditionalGetResult
        do { result = try await client.get(baseURL + "/v1/agents/\(id)/bundle", ifNoneMatch: etag) } catch {
            if error.label != "cancelled" { tally.add { $0.failures += 1 } }
            return
        }
        switch result {
        case .notModified:
            tally.add { $0.notModified += 1 }
        case .response(let response) where response.status == 404:
            tally.add { $0.none += 1 }
        case .response(let response) where response.status == 200:
            tally.add { $0.bundles += 1 }
            let now = Timestamp(secondsSinceEpoch: Date().timeIntervalSince1970)
            let bundle: PolicyBundle
            do {
                bundle = try PolicyBundle.verify(response.body, root: root, agent: AgentIdentity(id: id), installedVersion: installed, now: now)
            } catch {
                tally.add { $0.failures += 1 }
                return
            }
            installed = bundle.version
            etag = response.etag
            let report = #"{"version": \#(bundle.version), "result": "applied", "health": {"trips": 0, "safe_state_s": 0, "alarms": []}, "at": "\#(now.rfc3339)"}"#
            guard let answer = try? await client.post(
                baseURL + "/v1/agents/\(id)/policy-report", body: Array(report.utf8), headers: ["Content-Type: application/json"]),
                answer.status == 200
            else {
                tally.add { $0.failures += 1 }
                return
            }
            tally.add { $0.reports += 1 }
        case .response:
            tally.add { $0.failures += 1 }
        }
    }
}
