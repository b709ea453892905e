import AggregatorKit
import AggregatorTesting
import Foundation
import GridCore
import Logging
import PolicyTrust
import Synchronization
import Testing

/// A clock the test moves by hand (milliseconds since the epoch).
final class ManualClock: Sendable {
    private let ms: Mutex<Int64>
    init(_ start: Timestamp) { ms = Mutex(Int64(start.secondsSinceEpoch * 1000)) }
    var now: Int64 { ms.withLock { $0 } }
    var timestamp: Timestamp { Timestamp(secondsSinceEpoch: Double(now) / 1000) }
    func advance(seconds: Int64) { ms.withLock { $0 += seconds * 1000 } }
    var clock: RolloutCoordinator.Clock { { self.now } }
}

/// The coordinator over a store: verification before a start, who gets which bundle, reports, operators, roots,
/// the audit log, and a restart in the middle of a rollout.
@Suite("Rollout coordinator")
struct RolloutCoordinatorTests {
    static let start = Timestamp(rfc3339: "2026-06-01T00:00:00Z")!
    static let fixture = SignedPolicyFixture(expires: Timestamp(rfc3339: "2027-06-01T00:00:00Z")!)
    static let fleet = (1...6).map { "tx-\($0)" }
    static let logger = Logger(label: "rollout-tests") { _ in SwiftLogNoOpLogHandler() }

    static func coordinator(_ store: any PolicyStore = InMemoryPolicyStore(), clock: ManualClock, root: TrustRoot? = fixture.root) async throws -> RolloutCoordinator {
        try await RolloutCoordinator.open(store: store, pinnedRoot: root, logger: logger, clock: clock.clock)
    }

    static func request(_ bundle: [UInt8], canary: Int = 2, waves: Int = 2, soakS: Int = 60, maxFailures: Int = 0, agents: [String]? = nil) -> RolloutRequest {
        RolloutRequest(bundle: bundle, canary: canary, waves: waves, soakS: soakS, maxFailures: maxFailures, agents: agents)
    }

    static func report(_ result: PolicyReport.Result, version: Int = 7, code: String? = nil, trips: Int = 0) -> [UInt8] {
        let code = code.map { #", "code": "\#($0)""# } ?? ""
        return Array(#"{"version": \#(version), "result": "\#(result.rawValue)"\#(code), "health": {"trips": \#(trips), "safe_state_s": 0, "alarms": []}, "at": "2026-06-01T00:00:00Z"}"#.utf8)
    }

    /// Every agent of the open stage fetches and reports applied.
    static func applyStage(_ coordinator: RolloutCoordinator, rollout id: Int64) async throws {
        let rollout = try #require(coordinator.rollout(id: id))
        for agent in rollout.plan.stages[rollout.stage] {
            guard case .bundle = await coordinator.bundle(for: agent, ifNoneMatch: nil) else { Issue.record("\(agent) got no bundle"); return }
            _ = try await coordinator.report(report(.applied), from: agent).get()
        }
    }

    @Test("a valid bundle starts with its canary; the start is in the audit log with the operator")
    func startsAndAudits() async throws {
        let clock = ManualClock(Self.start)
        let coordinator = try await Self.coordinator(clock: clock)
        let bundle = try Self.fixture.bundle(version: 7, now: clock.timestamp)
        let rollout = try await coordinator.start(Self.request(bundle), by: "j.doe", fleet: Self.fleet).get()
        #expect(rollout.version == 7 && rollout.state == .running && rollout.plan.stages.map(\.count) == [2, 2, 2])
        #expect(rollout.createdBy == "j.doe")
        let audit = try await coordinator.audit(limit: 10, beforeID: nil)
        #expect(audit.count == 1)
        #expect(audit[0].operatorName == "j.doe" && audit[0].action == "rollout.start" && audit[0].outcome == "ok")
        #expect(audit[0].target == "rollout 1 (bundle version 7)")
        #expect(audit[0].detail == "6 agents: canary 2, 2 waves of 2/2, soak 60 s, max_failures 0")
    }

    @Test("a bundle that fails verification or validation is refused with its code, and the refusal is audited", arguments: [
        ("OUT_OF_RANGE", "thermal.hot_spot_limit_c"), ("UNKNOWN_KEY", "no signature is by a key"), ("EXPIRED", "expired at"),
        ("MALFORMED", "not a DSSE envelope"), ("UNSIGNED", "carries no signature"),
    ])
    func refusedBundles(code: String, mentions: String) async throws {
        let clock = ManualClock(Self.start)
        let coordinator = try await Self.coordinator(clock: clock)
        let bundle: [UInt8]
        switch code {
        case "OUT_OF_RANGE": bundle = try SignedPolicyFixture.handSigned(version: 7, expires: "2027-01-01T00:00:00Z", policy: #"{"thermal": {"hot_spot_limit_c": 130}}"#)
        case "UNKNOWN_KEY": bundle = try SignedPolicyFixture.handSigned(version: 7, expires: "2027-01-01T00:00:00Z", signer: 99)
        case "EXPIRED": bundle = try SignedPolicyFixture.handSigned(version: 7, expires: "2026-05-01T00:00:00Z")
        case "UNSIGNED": bundle = Array(#"{"payload": "e30=", "payloadType": "application/vnd.v2g-edge.policy+json", "signatures": []}"#.utf8)
        default: bundle = Array("{\"payload\": ".utf8)
        }
        let refusal = try #require(await coordinator.start(Self.request(bundle), by: "j.doe", fleet: Self.fleet).failure)
        #expect(refusal.status == 400 && refusal.label == code)
        #expect(refusal.message.contains(mentions), "\(refusal.message)")
        #expect(coordinator.rollouts.isEmpty)
        let audit = try await coordinator.audit(limit: 10, beforeID: nil)
        #expect(audit.map(\.outcome) == ["refused 400 \(code)"])
    }

    @Test("without a trusted root nothing starts (503)")
    func noRoot() async throws {
        let clock = ManualClock(Self.start)
        let coordinator = try await Self.coordinator(clock: clock, root: nil)
        let bundle = try Self.fixture.bundle(version: 7, now: clock.timestamp)
        let refusal = try #require(await coordinator.start(Self.request(bundle), by: "j.doe", fleet: Self.fleet).failure)
        #expect(refusal.status == 503 && refusal.label == "trust.not_configured")
    }

    @Test("one rollout at a time, and each version above every earlier one")
    func versionsAndActivity() async throws {
        let clock = ManualClock(Self.start)
        let coordinator = try await Self.coordinator(clock: clock)
        _ = try await coordinator.start(Self.request(try Self.fixture.bundle(version: 7, now: clock.timestamp)), by: "a", fleet: Self.fleet).get()
        let same = try #require(await coordinator.start(Self.request(try Self.fixture.bundle(version: 7, now: clock.timestamp)), by: "a", fleet: Self.fleet).failure)
        #expect(same.label == "ROLLBACK" && same.status == 400)
        let busy = try #require(await coordinator.start(Self.request(try Self.fixture.bundle(version: 8, now: clock.timestamp)), by: "a", fleet: Self.fleet).failure)
        #expect(busy.label == "rollout.active" && busy.status == 409)
        _ = try await coordinator.command(.abort, rollout: 1, by: "a").get()
        let lower = try #require(await coordinator.start(Self.request(try Self.fixture.bundle(version: 6, now: clock.timestamp)), by: "a", fleet: Self.fleet).failure)
        #expect(lower.label == "ROLLBACK")
        let next = try await coordinator.start(Self.request(try Self.fixture.bundle(version: 8, now: clock.timestamp)), by: "a", fleet: Self.fleet).get()
        #expect(next.id == 2)
    }

    @Test("who is in a rollout: the bundle's targets among the known agents, or the operator's list")
    func population() async throws {
        let clock = ManualClock(Self.start)
        let coordinator = try await Self.coordinator(clock: clock)
        let groups = try Self.fixture.bundle(version: 7, targets: [.group("feeder-12")], now: clock.timestamp)
        let needsList = try #require(await coordinator.start(Self.request(groups), by: "a", fleet: Self.fleet).failure)
        #expect(needsList.label == "rollout.agents_needed" && needsList.message.contains("feeder-12"))
        let named = try Self.fixture.bundle(version: 7, targets: [.agent("tx-1"), .agent("tx-9")], now: clock.timestamp)
        let stranger = try #require(await coordinator.start(Self.request(named, canary: 1, agents: ["tx-1", "tx-2"]), by: "a", fleet: Self.fleet).failure)
        #expect(stranger.label == "WRONG_TARGET" && stranger.message.contains("tx-2"))
        // Named targets without a list: those agents, known or not.
        let rollout = try await coordinator.start(Self.request(named, canary: 1, waves: 1), by: "a", fleet: Self.fleet).get()
        #expect(rollout.plan.agents == ["tx-1", "tx-9"])
        _ = try await coordinator.command(.abort, rollout: rollout.id, by: "a").get()
        let listed = try await coordinator.start(
            Self.request(try Self.fixture.bundle(version: 8, targets: [.group("feeder-12")], now: clock.timestamp), canary: 1, agents: ["tx-5", "tx-3"]),
            by: "a", fleet: Self.fleet).get()
        #expect(listed.plan.agents == ["tx-5", "tx-3"])  // the operator's order: tx-5 is the canary
    }

    @Test("the bundle goes to the open stages only, with its version as the entity tag; 404 before, 304 when unchanged")
    func serving() async throws {
        let clock = ManualClock(Self.start)
        let coordinator = try await Self.coordinator(clock: clock)
        #expect(await coordinator.bundle(for: "tx-1", ifNoneMatch: nil) == .none)
        let bytes = try Self.fixture.bundle(version: 7, now: clock.timestamp)
        _ = try await coordinator.start(Self.request(bytes), by: "a", fleet: Self.fleet).get()
        #expect(await coordinator.bundle(for: "tx-1", ifNoneMatch: nil) == .bundle(version: 7, bytes: bytes))
        #expect(await coordinator.bundle(for: "tx-1", ifNoneMatch: "\"7\"") == .notModified(version: 7))
        #expect(await coordinator.bundle(for: "tx-1", ifNoneMatch: "W/\"7\"") == .notModified(version: 7))
        #expect(await coordinator.bundle(for: "tx-1", ifNoneMatch: "\"6\"") == .bundle(version: 7, bytes: bytes))
        #expect(await coordinator.bundle(for: "tx-3", ifNoneMatch: nil) == .none)  // wave 1 is not open
        #expect(coordinator.rollout(id: 1)?.agents.first?.fetchedAtMs == clock.now)
    }

    @Test("reports move the rollout through its waves to done; the tick ends each soak")
    func reportsToDone() async throws {
        let clock = ManualClock(Self.start)
        let coordinator = try await Self.coordinator(clock: clock)
        _ = try await coordinator.start(Self.request(try Self.fixture.bundle(version: 7, now: clock.timestamp)), by: "a", fleet: Self.fleet).get()
        for stage in 0..<3 {
            #expect(coordinator.rollout(id: 1)?.stage == stage)
            try await Self.applyStage(coordinator, rollout: 1)
            #expect(coordinator.nextWakeMs == clock.now + 60_000)
            clock.advance(seconds: 59)
            await coordinator.tick()
            #expect(coordinator.rollout(id: 1)?.stage == stage)
            clock.advance(seconds: 1)
            await coordinator.tick()
        }
        let done = try #require(coordinator.rollout(id: 1))
        #expect(done.state == .done && done.counts.applied == 6)
    }

    @Test("a report is refused when malformed, about an unknown rollout, or from an agent not yet reached")
    func refusedReports() async throws {
        let clock = ManualClock(Self.start)
        let coordinator = try await Self.coordinator(clock: clock)
        _ = try await coordinator.start(Self.request(try Self.fixture.bundle(version: 7, now: clock.timestamp)), by: "a", fleet: Self.fleet).get()
        let malformed = try #require(await coordinator.report(Array(#"{"version": 7, "result": "fine"}"#.utf8), from: "tx-1").failure)
        #expect(malformed.status == 400 && malformed.message.contains("result") && malformed.message.contains("not applied, rejected or reverted"))
        let noCode = try #require(await coordinator.report(Self.report(.rejected), from: "tx-1").failure)
        #expect(noCode.status == 400 && noCode.message.contains("refusal code"))
        let unknown = try #require(await coordinator.report(Self.report(.applied, version: 9), from: "tx-1").failure)
        #expect(unknown.status == 404 && unknown.label == "rollout.unknown")
        let early = try #require(await coordinator.report(Self.report(.applied), from: "tx-5").failure)
        #expect(early.status == 409 && early.label == "rollout.not_reached")
    }

    @Test("a revert at the canary halts the rollout; the later waves are never served and status says why")
    func haltAtCanary() async throws {
        let clock = ManualClock(Self.start)
        let coordinator = try await Self.coordinator(clock: clock)
        _ = try await coordinator.start(Self.request(try Self.fixture.bundle(version: 7, now: clock.timestamp)), by: "a", fleet: Self.fleet).get()
        _ = await coordinator.bundle(for: "tx-1", ifNoneMatch: nil)
        let halted = try await coordinator.report(Self.report(.reverted, code: "PROBATION_TRIP", trips: 2), from: "tx-1").get()
        #expect(halted.state == .halted)
        #expect(halted.haltReasons.first == "tx-1 reverted to its last-known-good: PROBATION_TRIP (2 protection trips)")
        clock.advance(seconds: 3_600)
        await coordinator.tick()
        for agent in ["tx-2", "tx-3", "tx-4", "tx-5", "tx-6"] { #expect(await coordinator.bundle(for: agent, ifNoneMatch: nil) == .none) }
        let resume = try #require(await coordinator.command(.resume, rollout: 1, by: "b").failure)
        #expect(resume.status == 409 && resume.label == "rollout.invalid_transition")
        let audit = try await coordinator.audit(limit: 10, beforeID: nil)
        #expect(audit.first?.action == "rollout.resume" && audit.first?.outcome == "refused 409 rollout.invalid_transition" && audit.first?.operatorName == "b")
    }

    @Test("an aggregator restarted mid-rollout resumes it from the store, soak included")
    func restartResumes() async throws {
        let path = NSTemporaryDirectory() + "policy-\(UUID().uuidString).sqlite"
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let clock = ManualClock(Self.start)
        do {
            let store = try SQLitePolicyStore(path: path)
            defer { store.close() }
            let coordinator = try await Self.coordinator(store, clock: clock)
            _ = try await coordinator.start(Self.request(try Self.fixture.bundle(version: 7, now: clock.timestamp)), by: "a", fleet: Self.fleet).get()
            try await Self.applyStage(coordinator, rollout: 1)
            clock.advance(seconds: 60)
            await coordinator.tick()
            #expect(coordinator.rollout(id: 1)?.stage == 1)
            try await Self.applyStage(coordinator, rollout: 1)  // wave 1 applied, soaking when the aggregator stops
            _ = await coordinator.bundle(for: "tx-5", ifNoneMatch: nil)
        }
        clock.advance(seconds: 120)  // the soak ended while it was down
        let store = try SQLitePolicyStore(path: path)
        defer { store.close() }
        let coordinator = try await Self.coordinator(store, clock: clock)
        let resumed = try #require(coordinator.rollout(id: 1))
        #expect(resumed.state == .running && resumed.stage == 2)  // opened by the tick at open
        #expect(resumed.agents.prefix(4).allSatisfy { $0.status == .applied })
        // tx-5 (wave 2) had not been offered the bundle before the stop, so no fetch was recorded for it then.
        #expect(resumed.agents[4].fetchedAtMs == nil)
        try await Self.applyStage(coordinator, rollout: 1)
        clock.advance(seconds: 60)
        await coordinator.tick()
        #expect(coordinator.rollout(id: 1)?.state == .done)
        // A third life: the finished rollout reads back as it was left.
        let reread = try await store.rollouts()
        #expect(reread.count == 1 && reread[0].rollout == coordinator.rollout(id: 1) && reread[0].bundle.count > 100)
    }

    @Test("roots: the next version is verified against the chain, stored, served and trusted after a restart")
    func roots() async throws {
        let path = NSTemporaryDirectory() + "policy-\(UUID().uuidString).sqlite"
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let clock = ManualClock(Self.start)
        let next = Self.fixture.nextRoot()
        do {
            let store = try SQLitePolicyStore(path: path)
            defer { store.close() }
            let coordinator = try await Self.coordinator(store, clock: clock)
            #expect(coordinator.rootVersions == [1])
            let unsigned = try #require(await coordinator.publishRoot(Array(next.prefix(next.count / 2)), by: "j.doe").failure)
            #expect(unsigned.status == 400 && unsigned.label == "MALFORMED")
            let strangerSigned = try SignedPolicyFixture.document(version: 2, policy: [12], expires: Self.fixture.expires).signed(by: [SignedPolicyFixture.key(5)])
            let refused = try #require(await coordinator.publishRoot(strangerSigned, by: "j.doe").failure)
            #expect(refused.label == "UNKNOWN_KEY")
            #expect(try await coordinator.publishRoot(next, by: "j.doe").get() == .added(version: 2))
            #expect(try await coordinator.publishRoot(next, by: "j.doe").get() == .alreadyKnown(version: 2))
            #expect(coordinator.trustRoot?.version == 2 && coordinator.rootEnvelope(version: 2) == next)
            // Policy key 11 is no longer trusted: its bundles are refused.
            let old = try #require(await coordinator.start(
                Self.request(try Self.fixture.bundle(version: 7, now: clock.timestamp)), by: "j.doe", fleet: Self.fleet).failure)
            #expect(old.label == "UNKNOWN_KEY")
            let audit = try await coordinator.audit(limit: 10, beforeID: nil)
            #expect(audit.map(\.action) == ["rollout.start", "roots.publish", "roots.publish", "roots.publish", "roots.publish"])
            #expect(audit[2].target == "root version 2" && audit[2].outcome == "ok")
        }
        let store = try SQLitePolicyStore(path: path)
        defer { store.close() }
        let coordinator = try await Self.coordinator(store, clock: clock)
        #expect(coordinator.trustRoot?.version == 2 && coordinator.rootVersions == [1, 2])
    }
}

extension Result {
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
