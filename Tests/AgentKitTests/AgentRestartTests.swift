@testable import AgentKit
import Foundation
import PeerProcesses
import GridCore
import PolicyTrust
import Testing

/// The real programs: `v2g-sim` serves the field, `v2g-agent` regulates and fetches from the scripted aggregator over
/// mutual TLS. Mid-rollout (a new root and a new bundle taken, the bundle on probation, its report not yet
/// acknowledged) the agent is killed with SIGKILL and started again with the aggregator gone: it must come back on the
/// same policy version and the same root, with the probation and the report still pending, and deliver the report
/// once the aggregator is back.
@Suite("kill -9 mid-rollout, restart offline", .serialized)
struct AgentRestartTests {
    typealias F = PolicyFixture

    static let bin = ProcessInfo.processInfo.environment["V2G_BIN_DIR"] ?? CacheFixtures.root + "/.build/debug"

    /// Waits (without a thread) until `condition` holds, at most `seconds`.
    static func waitFor(_ seconds: Double, _ what: String, _ condition: () throws -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if (try? condition()) == true { return }
            try await Task.sleep(for: .milliseconds(250))
        }
        throw UplinkTestError(message: "timed out after \(seconds) s waiting for \(what)")
    }

    @Test("the same policy version and root after a kill -9 and a restart with no network; the report is delivered later",
          .timeLimit(.minutes(4)))
    func killAndRestartOffline() async throws {
        for program in ["v2g-agent", "v2g-sim"] {
            try #require(FileManager.default.isExecutableFile(atPath: "\(Self.bin)/\(program)"), "build \(program) first")
        }
        let directory = try TemporaryDirectory()
        let ca = try await PolicyPKI.shared.ca()

        // The field, in real time, and the agent configuration it writes.
        let sim = try ChildProcess.launch("\(Self.bin)/v2g-sim", [
            "run", "--scenario", "\(CacheFixtures.root)/examples/scenarios/evening-unbalanced.json", "--base-port", "0",
            "--acceleration", "1", "--agent-config-out", directory.file("agent.json"), "--clock-file", directory.file("clock.json"),
        ], output: directory.file("sim.log"))
        try await Self.waitFor(120, "the simulator's files") {
            FileManager.default.fileExists(atPath: directory.file("clock.json")) && FileManager.default.fileExists(atPath: directory.file("agent.json"))
        }
        let clock = try AgentClock.simulation(clockFile: directory.file("clock.json"))
        let simNow = clock.now()

        // The aggregator: root 2 (new root and policy keys) and bundle 2 signed under it; reports not acknowledged yet.
        let pinned = try F.root(F.rootDocument(expires: "2099-01-01T00:00:00Z"))
        let rootV2Bytes = try F.root(F.rootDocument(version: 2, rootKeys: [2], policyKeys: [12], expires: "2099-01-01T00:00:00Z"), signers: [1, 2])
        let rootV2 = try TrustRoot(trusting: pinned).rotated(to: rootV2Bytes)
        var policy = try ConfigFile.loadPolicy(path: "\(CacheFixtures.root)/examples/policy/default.json")
        policy.transformer.ratedKVA = 160
        let bundle = try PolicyBundle.sign(
            policy: policy, version: 2, expires: simNow + 30 * 86_400, targets: [.group("feeder-12")], keys: [F.key(12)], root: rootV2,
            now: simNow)
        var peer: PolicyPeer? = try await PolicyPeer.start(state: directory.file("peer"), ca: ca)
        let port = peer!.port
        try peer!.serveRoot(rootV2Bytes, version: 2)
        try peer!.serveBundle(bundle)
        try peer!.answerReports(with: 503)

        try Data(pinned).write(to: URL(fileURLWithPath: directory.file("root.json")))
        var config = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: directory.file("agent.json")))) as! [String: Any]
        config["agent_id"] = F.agentID
        config["trust"] = ["root_file": directory.file("root.json"), "groups": ["feeder-12"]]
        config["policy_fetch"] = [
            "base_url": "https://127.0.0.1:\(port)", "ca_file": "\(ca)/ca.crt", "cert_file": "\(ca)/agents/\(F.agentID).crt",
            "key_file": "\(ca)/agents/\(F.agentID).key", "interval_s": 5, "probation_s": 3600, "connect_timeout_s": 2, "total_timeout_s": 5,
        ]
        try JSONSerialization.data(withJSONObject: config, options: [.prettyPrinted]).write(to: URL(fileURLWithPath: directory.file("agent.json")))
        let statusFile = StatusFile(path: config["status_file"] as! String)
        let arguments = ["run", "--config", directory.file("agent.json"), "--sim-clock", directory.file("clock.json"), "--log-level", "notice"]

        // First run: root 2 and bundle 2 taken, on probation, the applied report waiting.
        var agent: ChildProcess? = try ChildProcess.launch("\(Self.bin)/v2g-agent", arguments, output: directory.file("agent1.log"))
        try await Self.waitFor(60, "version 2 under root 2, on probation, its report pending") {
            let status = try statusFile.read()
            return status.policyVersion == 2 && status.policyPath?.rootVersion == 2 && status.policyPath?.probationVersion == 2
                && (status.policyPath?.pendingReports ?? 0) >= 1
        }
        try await agent!.killAndWait()
        agent = nil
        peer = nil  // the aggregator is gone: the restart has no network
        let killedAt = Timestamp.wallClock()

        agent = try ChildProcess.launch("\(Self.bin)/v2g-agent", arguments, output: directory.file("agent2.log"))
        try await Self.waitFor(60, "a fresh status after the restart, with a failed fetch") {
            let status = try statusFile.read()
            return status.writtenAt > killedAt && status.lastCycleAt.map { _ in true } == true && status.policyPath?.lastFetch != nil
        }
        let restarted = try statusFile.read()
        #expect(restarted.policyVersion == 2, "\(restarted)")
        #expect(restarted.policyPath?.rootVersion == 2)
        #expect(restarted.policyPath?.probationVersion == 2, "the probation goes on")
        #expect((restarted.policyPath?.pendingReports ?? 0) >= 1, "the unacknowledged report survived the kill")
        #expect(restarted.policyPath?.lastFetch == "network_connect", "\(String(describing: restarted.policyPath))")
        #expect(restarted.mode == .regulating, "\(String(describing: restarted.mode))")

        // The aggregator back on its port: the report kept across the kill is delivered.
        let back = try await PolicyPeer.start(state: directory.file("peer"), ca: ca, port: port)
        try back.answerReports(with: 200)
        try await Self.waitFor(30, "the applied report at the aggregator") {
            try back.reports().contains { $0["result"] as? String == "applied" && $0["version"] as? Int == 2 }
        }
        try await agent!.terminateAndWait()
        try await sim.terminateAndWait()
        let first = try String(contentsOfFile: directory.file("agent1.log"), encoding: .utf8)
        #expect(first.contains("root of trust rotated") && first.contains("policy adopted") && first.contains("policy on probation"), "\(first)")
        let second = try String(contentsOfFile: directory.file("agent2.log"), encoding: .utf8)
        #expect(!second.contains("CACHE_") && !second.contains("policy adopted"), "\(second)")
        #expect(second.contains("policy fetch failing"), "\(second)")
    }
}
