@testable import AgentKit
import Foundation
import GridCore
import PolicyTrust
import Testing

/// Probation, with the real cache and the real fetcher: a new policy that makes protection trip, or the safe state
/// begin, within the window is reverted by the agent on its own, reported as reverted, and never applied again.
@Suite("Probation: a policy that trips is reverted on its own", .serialized)
struct PolicyProbationTests {
    typealias F = PolicyFixture

    /// A policy whose nominal voltage puts the scripted field's 230 V at 1.12 pu: OV1 (1.10 pu, 2 s) trips.
    static func tripping() -> ControlPolicy {
        var policy = F.policy(ratedKVA: 315)
        policy.transformer.nominalPhaseVoltageV = 205
        return policy
    }

    /// A bench on root 1 with version 1 applied from the aggregator and through its clean probation (30 s).
    static func benchWithVersion1() async throws -> PolicyBench {
        let bench = try await PolicyBench(pinned: try F.root(), probationS: 30)
        try bench.peer.serveBundle(try F.bundle(version: 1, policy: F.policy(ratedKVA: 160), root: try #require(bench.trust.root)))
        #expect(await bench.round().bundle == "accepted v1")
        bench.cycles(35)
        #expect(bench.loop.policy.version == 1 && bench.loop.probation == nil)
        return bench
    }

    @Test("a clean probation is reported again, with the health over the window")
    func cleanProbation() async throws {
        let bench = try await Self.benchWithVersion1()
        #expect(bench.events.contains { $0.code == "POLICY_PROBATION_PASSED" && $0.message == "version 1" })
        await bench.round()
        let reports = try bench.peer.reports()
        #expect(reports.map { $0["result"] as? String } == ["applied", "applied"], "\(reports)")
        let health = try #require(reports[1]["health"] as? [String: Any])
        #expect(health["trips"] as? Int == 0 && health["safe_state_s"] as? Double == 0, "\(health)")
    }

    @Test("a trip on probation reverts to the last-known-good, is reported as reverted, and that version never returns")
    func tripReverts() async throws {
        let bench = try await Self.benchWithVersion1()
        let root = try #require(bench.trust.root)
        try bench.peer.serveBundle(try F.bundle(version: 2, policy: Self.tripping(), root: root))
        #expect(await bench.round().bundle == "accepted v2")
        bench.cycles()
        #expect(bench.loop.policy.version == 2 && bench.loop.probation?.version == 2)
        bench.cycles(6)
        // Reverted on its own: version 1 in force again, from the cache's last-known-good.
        #expect(bench.loop.policy.version == 1 && bench.loop.policy.transformer.ratedKVA == 160)
        #expect(try bench.cache.cache.activePolicy()?.version == 1)
        #expect(try bench.cache.cache.highestPolicyVersion() == 2, "the mark stays: version 2 can never come back")
        let reverted = try #require(bench.events.first { $0.code == "POLICY_REVERTED" })
        #expect(reverted.message.hasPrefix("TRIP_OV1: version 2 reverted to version 1"), "\(reverted.message)")

        await bench.round()
        let report = try #require(try bench.peer.reports().last)
        #expect(report["result"] as? String == "reverted" && report["version"] as? Int == 2 && report["code"] as? String == "TRIP_OV1")
        let health = try #require(report["health"] as? [String: Any])
        #expect(health["trips"] as? Int == 1, "\(health)")

        // Served again by the aggregator (a new entity tag): quietly not applied, no refusal alarm, no new report.
        try bench.peer.serveBundle(try F.bundle(version: 2, policy: Self.tripping(), root: root), etag: "\"2b\"")
        #expect(await bench.round().bundle == "reverted v2")
        bench.cycles()
        #expect(bench.loop.policy.version == 1 && !bench.loop.activeAlarmCodes.contains("POLICY_REFUSED"))
        // Offered through the inbox directly, the cache itself refuses it.
        bench.inbox.deliver(PolicyInbox.Delivery(policy: { var p = Self.tripping(); p.version = 2; return p }(), bundleBytes: [2], receivedAt: F.now, source: "replay"))
        bench.cycles()
        #expect(bench.loop.policy.version == 1)
        // The operator's way back is a new, higher version.
        try bench.peer.serveBundle(try F.bundle(version: 3, policy: F.policy(ratedKVA: 200), root: root))
        #expect(await bench.round().bundle == "accepted v3")
        bench.cycles()
        #expect(bench.loop.policy.version == 3)
    }

    @Test("the safe state beginning on probation reverts; one already in force when the policy came does not")
    func safeStateBegins() async throws {
        let bench = try await Self.benchWithVersion1()
        let root = try #require(bench.trust.root)
        try bench.peer.serveBundle(try F.bundle(version: 2, policy: F.policy(ratedKVA: 200), root: root))
        await bench.round()
        bench.cycles(3)
        #expect(bench.loop.policy.version == 2)
        // The meter goes silent: after the stale limit (3 cycles) the safe state begins.
        let meter = bench.field.reading.inputs.meter
        bench.field.reading.inputs.meter = nil
        bench.cycles(6)
        #expect(bench.loop.policy.version == 1)
        #expect(bench.events.contains { $0.code == "POLICY_REVERTED" && $0.message.hasPrefix("SAFE_STATE: version 2") })

        // Still in the safe state when version 3 comes: not its doing, so it stays, and the seconds are counted.
        try bench.peer.serveBundle(try F.bundle(version: 3, policy: F.policy(ratedKVA: 200), root: root))
        await bench.round()
        bench.cycles(35)
        #expect(bench.loop.policy.version == 3)
        await bench.round()
        let passed = try #require(try bench.peer.reports().last)
        #expect(passed["result"] as? String == "applied" && passed["version"] as? Int == 3)
        let health = try #require(passed["health"] as? [String: Any])
        #expect((health["safe_state_s"] as? Double ?? 0) >= 29, "\(health)")
        #expect(!((health["alarms"] as? [String]) ?? []).isEmpty, "\(health)")
        bench.field.reading.inputs.meter = meter
    }

    @Test("a restart during probation goes on with it")
    func probationSurvivesARestart() async throws {
        let bench = try await Self.benchWithVersion1()
        try bench.peer.serveBundle(try F.bundle(version: 2, policy: F.policy(ratedKVA: 200), root: try #require(bench.trust.root)))
        await bench.round()
        bench.cycles(2)
        let restarted = ControlLoop(field: bench.field, cache: bench.cache, inbox: PolicyInbox(), policyWatch: bench.watch, logger: F.logger)
        restarted.setProbation(windowS: 30)
        #expect(restarted.policy.version == 2 && restarted.probation?.version == 2)
        #expect(restarted.probation?.appliedAt == bench.loop.probation?.appliedAt)
    }
}
