@testable import AgentKit
import EdgeCurl
import Foundation
import GridCore
import Logging
import PolicyTrust
import ServiceLifecycle
import Testing

/// The local policy file once a root of trust is configured, standing notices, the modes of every file the agent
/// writes, and a TLS key that others can read.
@Suite("Seed policy, notices, file modes and key modes", .serialized)
struct PolicyHardeningTests {
    typealias F = PolicyFixture

    /// A daemon's config in `directory`: no field device answers (port 9), a trust section, optional extras.
    static func config(_ directory: TemporaryDirectory, policyFile: String? = nil, trust: Bool = true) throws -> AgentConfig {
        var config = AgentConfig(agentID: F.agentID, meter: MeterConfig(transport: .tcp(.init(host: "127.0.0.1", port: 9))))
        config.stateDirectory = directory.file("state")
        config.statusFile = directory.file("run/status.json")
        config.metricsTextfile = directory.file("metrics/agent.prom")
        config.policyFile = policyFile
        if trust {
            try Data(try F.root()).write(to: URL(fileURLWithPath: directory.file("root.json")))
            config.trust = TrustConfig(rootFile: directory.file("root.json"), groups: ["feeder-12"])
        }
        for folder in ["state", "run", "metrics"] {
            try FileManager.default.createDirectory(atPath: directory.file(folder), withIntermediateDirectories: true)
        }
        return config
    }

    static func write(_ bytes: [UInt8], _ path: String) throws { try Data(bytes).write(to: URL(fileURLWithPath: path)) }

    @Test("with a trust section the policy file must be a signed bundle: a plain one is refused loudly, a signed one applied")
    func seedMustBeSigned() throws {
        let directory = try TemporaryDirectory()
        try Self.write(Array(#"{"transformer": {"rated_kva": 315}}"#.utf8), directory.file("plain.json"))
        let plain = AgentDaemon(config: try Self.config(directory, policyFile: directory.file("plain.json")), clock: F.frozen, logger: F.logger)
        let events = plain.cache.recentEvents(limit: 10)
        let refusal = try #require(events.first { $0.code == "POLICY_REFUSED" })
        #expect(refusal.message.hasPrefix("MALFORMED: ") && refusal.message.contains("v2g-adm policy sign"), "\(refusal.message)")
        #expect(plain.policyWatch.alarmsInForce.contains { $0.code == "POLICY_REFUSED" })

        let root = try TrustRoot(trusting: try F.root())
        try Self.write(try F.bundle(version: 4, root: root), directory.file("seed.bundle"))
        let signedDirectory = try TemporaryDirectory()
        let signed = AgentDaemon(
            config: try Self.config(signedDirectory, policyFile: directory.file("seed.bundle")), clock: F.frozen, logger: F.logger)
        let delivered = signed.inbox.takeAll()
        #expect(delivered.map(\.policy.version) == [4] && delivered[0].policy.transformer.ratedKVA == 250)
        #expect(signed.policyWatch.alarmsInForce.isEmpty)
    }

    @Test("without a trust section a plain policy file is read as before, and a bad one is loud too")
    func labSeed() throws {
        let directory = try TemporaryDirectory()
        try Self.write(Array(#"{"version": 3, "thermal": {"hot_spot_limit_c": 130}}"#.utf8), directory.file("bad.json"))
        let daemon = AgentDaemon(
            config: try Self.config(directory, policyFile: directory.file("bad.json"), trust: false), clock: F.frozen, logger: F.logger)
        let refusal = try #require(daemon.cache.recentEvents(limit: 10).first { $0.code == "POLICY_REFUSED" })
        #expect(refusal.message.hasPrefix("OUT_OF_RANGE: ") && refusal.message.contains("line 1, column "), "\(refusal.message)")
        #expect(refusal.message.contains("thermal.hot_spot_limit_c = 130.0 is outside the allowed range 60.0…120.0"))
        #expect(daemon.inbox.takeAll().isEmpty)
    }

    @Test("CLEARING_TIME_UNREACHABLE is a standing notice: in the status and the textfile as a notice, never an alarm")
    func clearingTimeIsANotice() throws {
        let directory = try TemporaryDirectory()
        let cache = GuardedCache(InMemoryAgentCache(), logger: F.logger)
        let loop = ControlLoop(field: ControlLoopTests.field(), cache: cache, logger: F.logger)
        loop.setCyclePeriod(1)
        for t in 0..<3 { loop.runCycle(now: F.now + Double(t)) }
        #expect(loop.lastOutcome?.decisions.contains { $0.code == "CLEARING_TIME_UNREACHABLE" } == true, "the cycle still decides it")
        #expect(!loop.activeAlarmCodes.contains("CLEARING_TIME_UNREACHABLE"))
        #expect(loop.notices.map(\.code) == ["CLEARING_TIME_UNREACHABLE"])
        #expect(!cache.recentEvents(limit: 50).contains { $0.code == "CLEARING_TIME_UNREACHABLE" })

        var config = AgentConfig(agentID: "tx-1", meter: MeterConfig(transport: .tcp(.init(host: "127.0.0.1"))))
        config.statusFile = directory.file("status.json")
        config.metricsTextfile = directory.file("agent.prom")
        let operations = AgentOperations(config: config, logger: F.logger)
        operations.record(loop.lastOutcome!, loop: loop, cycleDurationS: 0.01, now: F.now)
        operations.writeOutputs(now: F.now)
        let status = try StatusFile(path: config.statusFile).read()
        #expect(status.notices?.map(\.code) == ["CLEARING_TIME_UNREACHABLE"])
        #expect(!status.alarms.contains { $0.code == "CLEARING_TIME_UNREACHABLE" })
        let text = try String(contentsOfFile: config.metricsTextfile, encoding: .utf8)
        #expect(text.contains("v2g_agent_notices_active{code=\"CLEARING_TIME_UNREACHABLE\"} 1"))
        #expect(!text.contains("v2g_agent_alarms_active{code=\"CLEARING_TIME_UNREACHABLE\"}"))
        // A shorter period brings every function within reach: the notice goes with the policy change.
        var fast = ControlPolicy(version: 2)
        fast.cyclePeriodS = 0.05
        fast.write.refreshS = 0.1
        loop.inbox.deliver(PolicyInbox.Delivery(policy: fast, bundleBytes: [2], receivedAt: F.now, source: "test"))
        loop.setCyclePeriod(0.05)
        loop.runCycle(now: F.now + 10)
        #expect(loop.notices.isEmpty)
    }

    @Test("every file the agent creates is 0640 or tighter, and older, more open files are tightened")
    func fileModes() async throws {
        let directory = try TemporaryDirectory()
        var config = try Self.config(directory, trust: false)
        config.uplink = UplinkConfig(baseURL: "https://127.0.0.1:9")
        config.cyclePeriodS = 0.2
        // A queue file an older version left world-readable.
        _ = FileManager.default.createFile(atPath: config.stateDirectory + "/telemetry.sqlite", contents: nil, attributes: [.posixPermissions: 0o666])
        let daemon = AgentDaemon(config: config, logger: F.logger)
        let group = ServiceGroup(configuration: .init(services: daemon.services, logger: F.logger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            try await Task.sleep(for: .seconds(3))
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        daemon.stop()
        var checked: [String: Int] = [:]
        for folder in [config.stateDirectory, directory.file("run"), directory.file("metrics")] {
            for name in try FileManager.default.contentsOfDirectory(atPath: folder) {
                let attributes = try FileManager.default.attributesOfItem(atPath: folder + "/" + name)
                checked[name] = (attributes[.posixPermissions] as? Int) ?? -1
            }
        }
        for name in ["cache.sqlite", "telemetry.sqlite", "status.json", "agent.prom"] {
            #expect(checked[name] != nil, "\(name) was not written: \(checked)")
        }
        for (name, mode) in checked {
            #expect(mode >= 0 && mode & 0o137 == 0, "\(name) has mode 0\(String(mode, radix: 8))")
        }
    }

    @Test("a TLS key that group or others may read is refused: an alarm naming the file and its mode, and no request")
    func exposedKey() async throws {
        let directory = try TemporaryDirectory()
        let ca = try await PolicyPKI.shared.ca()
        let key = directory.file("agent.key")
        try FileManager.default.copyItem(atPath: "\(ca)/agents/\(F.agentID).key", toPath: key)
        try FileManager.default.setAttributes([.posixPermissions: 0o666], ofItemAtPath: key)
        let watch = TLSKeyWatch(keyFiles: [key])
        let alarm = try #require(watch.alarmsInForce.first)
        #expect(alarm.code == "TLS_KEY_EXPOSED" && alarm.message.contains("\(key) has mode 0666"), "\(alarm)")

        var settings = UplinkSettings(baseURL: "https://127.0.0.1:9", agentID: F.agentID, tls: UplinkTLSFiles(
            caPath: "\(ca)/ca.crt", certificatePath: "\(ca)/agents/\(F.agentID).crt", keyPath: key))
        settings.connectTimeoutS = 2
        let result = try await CurlTransport(settings: settings).post(frame: [1, 2, 3], sequence: 1)
        guard case .retryable(let failure) = result else { Issue.record("\(result)"); return }
        #expect(failure.label == "tls_key_exposed" && failure.message.contains("mode 0666"), "\(failure)")

        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: key)
        #expect(watch.alarmsInForce.isEmpty)
    }
}
