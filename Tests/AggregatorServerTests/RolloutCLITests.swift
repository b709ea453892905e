import AdmKit
import AggregatorKit
import AggregatorServer
import AggregatorTesting
import Foundation
import GridCore
import Testing

/// `v2g-adm rollout …` against the real server over mutual TLS: AdmKit's client (libcurl) with an operator kit,
/// and the built binary for the exit statuses.
@Suite("v2g-adm rollout")
struct RolloutCLITests {
    static var pki: PKIFixture { PKIFixture.shared }
    static var kit: String { pki.dir + "/kits/operator-ops" }
    static var now: Timestamp { Timestamp(secondsSinceEpoch: Date().timeIntervalSince1970) }

    static func client(_ port: Int, kit: String? = kit, cert: String? = nil, key: String? = nil) throws -> AggregatorClient {
        try AggregatorClient(url: "https://127.0.0.1:\(port)", kit: kit, ca: pki.caFile, cert: cert, key: key, timeoutS: 20)
    }

    static func writeBundle(_ bytes: [UInt8]) throws -> String {
        let path = NSTemporaryDirectory() + "bundle-\(UUID().uuidString).json"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Runs the built v2g-adm (or another of the package's programs) without blocking a thread; its exit status and
    /// stdout + stderr.
    static func adm(_ arguments: [String], program: String = "v2g-adm") async throws -> (status: Int32, output: String) {
        let bundle = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        let adm = URL(fileURLWithPath: bundle).deletingLastPathComponent().appendingPathComponent(program).path
        try #require(FileManager.default.isExecutableFile(atPath: adm), "build \(program) first: \(adm)")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: adm)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch { continuation.resume(throwing: error) }
        }
        return (status, String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
    }

    @Test("start, status, pause, resume; a halt explained one line per reason, exit 4; abort")
    func lifecycle() async throws {
        try await withPolicyTestServer { curl, _, _, coordinator in
            let client = try Self.client(curl.port)
            let path = try Self.writeBundle(try policyFixture.bundle(version: 7, now: Self.now))
            defer { try? FileManager.default.removeItem(atPath: path) }
            let started = try await RolloutTool.start(client, bundlePath: path, canary: 1, waves: 1, soakS: 600, maxFailures: 0, agents: ["a1", "a2"])
            #expect(started.exitStatus == 0)
            #expect(started.lines.first == "started rollout 1: bundle version 7 to 2 agents, canary 1, 1 wave of 1, soak 600 s, max_failures 0")
            #expect(try await RolloutTool.command(client, "pause", id: 1).lines.first?.contains("paused at the canary") == true)
            #expect(try await RolloutTool.command(client, "resume", id: 1).lines.first?.contains("running, canary") == true)

            _ = try await curl.request("/v1/agents/a1/bundle")
            let revert = #"{"version": 7, "result": "reverted", "code": "PROBATION_TRIP", "reason": "2 trips within 60 s of applying", "health": {"trips": 2}}"#
            #expect(try await curl.request("/v1/agents/a1/policy-report", method: "POST", body: Array(revert.utf8)).httpStatus == 200)
            let status = try await RolloutTool.status(client, id: 1, agents: true)
            #expect(status.exitStatus == RolloutTool.stoppedExitStatus)
            #expect(status.lines.first?.hasPrefix("rollout 1: bundle version 7, halted at the canary, started by ops") == true, "\(status.lines)")
            let halted = status.lines.filter { $0.hasPrefix("halted: ") }
            #expect(halted == [
                "halted: a1 reverted to its last-known-good: PROBATION_TRIP: 2 trips within 60 s of applying (2 protection trips)",
                "halted: 1 failure counted against the canary, more than max_failures 0",
            ])
            #expect(status.lines.contains("wave 1: 1 agents, 1 pending (not reached)"))
            #expect(status.lines.contains { $0.hasPrefix("  a1  canary  reverted  trips 2") })
            let list = try await RolloutTool.status(client, id: nil, agents: false)
            #expect(list.lines.count == 1 && list.exitStatus == 0)
            #expect(try await RolloutTool.command(client, "abort", id: 1).lines.first?.contains("aborted at the canary") == true)
            #expect(coordinator.rollout(id: 1)?.state == .aborted)
            let audit = try await RolloutTool.audit(client, limit: 10)
            #expect(audit.lines.count == 4 && audit.lines[0].contains("ops  rollout.abort  rollout 1  ok"))
        }
    }

    @Test("refusals: an invalid bundle, an agent's certificate, a missing kit, an unreachable aggregator; each with its exit status")
    func refusals() async throws {
        try await withPolicyTestServer { curl, _, _, _ in
            let expires = Timestamp(secondsSinceEpoch: Date().timeIntervalSince1970 + 86_400).rfc3339
            let hot = try Self.writeBundle(try SignedPolicyFixture.handSigned(version: 7, expires: expires, policy: #"{"ev": {"minimum_soc_pct": 150}}"#))
            defer { try? FileManager.default.removeItem(atPath: hot) }
            let invalid = await #expect(throws: RolloutToolError.self) {
                try await RolloutTool.start(try Self.client(curl.port), bundlePath: hot, canary: 1, waves: 1, soakS: 0, maxFailures: 0, agents: ["a1"])
            }
            #expect(invalid?.exitStatus == 1)
            #expect(invalid?.message.hasPrefix("REFUSED 400 OUT_OF_RANGE: ev.minimum_soc_pct") == true, "\(String(describing: invalid))")
            let asAgent = await #expect(throws: RolloutToolError.self) {
                try await RolloutTool.status(
                    try Self.client(curl.port, kit: nil, cert: Self.pki.agentCert("a1"), key: Self.pki.agentKey("a1")), id: nil, agents: false)
            }
            #expect(asAgent?.exitStatus == 1 && asAgent?.message.hasPrefix("REFUSED 403 role.operator_only") == true)
            let noKit = #expect(throws: RolloutToolError.self) { try Self.client(curl.port, kit: nil) }
            #expect(noKit?.exitStatus == 2)
            let down = await #expect(throws: RolloutToolError.self) { try await RolloutTool.status(try Self.client(1), id: nil, agents: false) }
            #expect(down?.exitStatus == 3)

            // The binary maps the same outcomes to its exit status.
            let connection = ["--aggregator", "https://127.0.0.1:\(curl.port)", "--kit", Self.kit]
            let refused = try await Self.adm(["rollout", "start"] + connection + ["--agent", "a1", hot])
            #expect(refused.status == 1 && refused.output.contains("REFUSED 400 OUT_OF_RANGE"), "\(refused.output)")
            let missing = try await Self.adm(["rollout", "status"] + connection + ["9"])
            #expect(missing.status == 1 && missing.output.contains("REFUSED 404 rollout.not_found"), "\(missing.output)")
            let unreachable = try await Self.adm(["rollout", "status", "--aggregator", "https://127.0.0.1:1", "--kit", Self.kit])
            #expect(unreachable.status == 3, "\(unreachable.output)")
        }
    }

    @Test("the binary's status exits 4 for a halted rollout; roots publish adds the next root")
    func binaryStatusAndRoots() async throws {
        try await withPolicyTestServer { curl, _, _, _ in
            let connection = ["--aggregator", "https://127.0.0.1:\(curl.port)", "--kit", Self.kit]
            let path = try Self.writeBundle(try policyFixture.bundle(version: 7, now: Self.now))
            let root = try Self.writeBundle(policyFixture.nextRoot())
            defer { for file in [path, root] { try? FileManager.default.removeItem(atPath: file) } }
            let started = try await Self.adm(["rollout", "start"] + connection + ["--canary", "1", "--waves", "1", "--agent", "a1", "--agent", "a2", path])
            #expect(started.status == 0, "\(started.output)")
            _ = try await curl.request("/v1/agents/a1/bundle")
            let reject = #"{"version": 7, "result": "rejected", "code": "WRONG_TARGET", "reason": "not for this agent"}"#
            _ = try await curl.request("/v1/agents/a1/policy-report", method: "POST", body: Array(reject.utf8))
            let status = try await Self.adm(["rollout", "status"] + connection + ["1"])
            #expect(status.status == 4)
            #expect(status.output.contains("halted: a1 rejected the bundle (WRONG_TARGET): not for this agent"), "\(status.output)")
            let published = try await Self.adm(["roots", "publish"] + connection + [root])
            #expect(published.status == 0 && published.output.contains("root version 2 published and trusted"), "\(published.output)")
        }
    }
}
