@testable import AgentKit
import Foundation
import GridCore
import PolicyTrust
import Testing

/// The fetcher against the scripted aggregator over mutual TLS: conditional GET, root rotation, reports that wait
/// for their acknowledgement.
@Suite("Policy fetch: conditional GET, roots, reports", .serialized)
struct PolicyFetchTests {
    typealias F = PolicyFixture

    @Test("an accepted bundle is applied at the next cycle boundary and reported; then 304 and nothing is checked again")
    func conditionalGet() async throws {
        let bench = try await PolicyBench(pinned: try F.root())
        let root = try #require(bench.trust.root)
        try bench.peer.serveBundle(try F.bundle(version: 4, root: root))
        #expect(await bench.round().bundle == "accepted v4")
        // Delivered, not yet applied: only the next cycle takes it.
        #expect(bench.loop.policy.version == 0)
        bench.cycles()
        #expect(bench.loop.policy.version == 4 && bench.loop.policy.transformer.ratedKVA == 250)
        #expect(try bench.cache.cache.activePolicy()?.bundleBytes == (try F.bundle(version: 4, root: root)))

        let second = await bench.round()
        #expect(second.bundle == "not_modified" && second.reportsSent == 1)
        let requests = try bench.peer.requests().filter { ($0["path"] as? String)?.hasSuffix("/bundle") == true }
        #expect(requests.count == 2)
        #expect(requests[1]["if_none_match"] as? String == "\"4\"" && requests[1]["status"] as? Int == 304, "\(requests)")
        // Nothing re-verified: no new delivery, no event.
        let eventsBefore = bench.events.count
        #expect(await bench.round().bundle == "not_modified")
        bench.cycles()
        #expect(bench.events.count == eventsBefore)
        let applied = try bench.peer.reports()
        #expect(applied.count == 1 && applied[0]["result"] as? String == "applied" && applied[0]["version"] as? Int == 4)
        #expect(bench.watch.status.lastFetch == "not_modified")
    }

    @Test("no rollout yet (404): the agent keeps what it has")
    func noBundle() async throws {
        let bench = try await PolicyBench(pinned: try F.root())
        #expect(await bench.round().bundle == "no_bundle")
        bench.cycles()
        #expect(bench.loop.policy.version == 0 && !bench.loop.activeAlarmCodes.contains("POLICY_REFUSED"))
    }

    @Test("a root rotation is fetched, checked, kept across a restart, and its new policy key is trusted")
    func rootRotation() async throws {
        let directory = try TemporaryDirectory()
        let pinned = try F.root()
        // Root 2: new root key 2 and new policy key 12, signed by the old root key 1 and the new one.
        let next = try F.root(F.rootDocument(version: 2, rootKeys: [2], policyKeys: [12]), signers: [1, 2])
        let v2: TrustRoot
        do {
            let bench = try await PolicyBench(pinned: pinned, directory: directory)
            try bench.peer.serveRoot(next, version: 2)
            v2 = try TrustRoot(trusting: pinned).rotated(to: next)
            try bench.peer.serveBundle(try F.bundle(version: 3, keys: [12], root: v2))
            #expect(await bench.round().bundle == "accepted v3")
            #expect(bench.trust.root?.version == 2 && bench.watch.status.rootVersion == 2)
            #expect(bench.events.contains { $0.code == "TRUST_ROOT_ROTATED" })
            let paths = try bench.peer.requests().compactMap { $0["path"] as? String }
            #expect(paths.prefix(2) == ["/v1/roots/2", "/v1/roots/3"], "\(paths)")
        }
        // Restarted with no aggregator at all: root 2 is still the one in force.
        let cache = GuardedCache(path: directory.file("cache.sqlite"), logger: F.logger)
        let watch = PolicyWatch(cache: cache, trustConfigured: true)
        let anchor = TrustAnchor(config: TrustConfig(rootFile: directory.file("root.json")), cache: cache, watch: watch, logger: F.logger)
        #expect(anchor.root?.version == 2)
    }

    @Test("a rotation signed by the new root keys only is refused: the root stays, the alarm says why, its policy key is not trusted")
    func badRotation() async throws {
        let bench = try await PolicyBench(pinned: try F.root())
        let next = try F.root(F.rootDocument(version: 2, rootKeys: [2], policyKeys: [12]), signers: [2])
        try bench.peer.serveRoot(next, version: 2)
        // A bundle signed by the key the refused root would have trusted.
        try bench.peer.serveBundle(try F.envelope(F.payload(version: 3), signers: [12]))
        let round = await bench.round()
        #expect(round.bundle == "refused UNKNOWN_KEY", "\(round)")
        #expect(bench.trust.root?.version == 1)
        bench.cycles()
        let alarm = try #require(bench.loop.activeAlarms.first { $0.code == "TRUST_ROOT_REFUSED" })
        #expect(alarm.message.contains("THRESHOLD_NOT_MET") && alarm.message.contains("version 1"), "\(alarm)")
        // Said once, not at every round.
        await bench.round()
        #expect(bench.events.filter { $0.code == "TRUST_ROOT_REFUSED" }.count == 1)
    }

    @Test("a report the aggregator does not acknowledge is kept, across a restart, until it is")
    func reportsWaitForTheirAcknowledgement() async throws {
        let directory = try TemporaryDirectory()
        let pinned = try F.root()
        do {
            let bench = try await PolicyBench(pinned: pinned, directory: directory)
            try bench.peer.answerReports(with: 503)
            try bench.peer.serveBundle(try F.bundle(version: 2, root: try #require(bench.trust.root)))
            await bench.round()
            bench.cycles()
            let round = await bench.round()
            #expect(round.reportsHeldBack && round.failure == "http_503")
            #expect(bench.waitingReports.map(\.result) == [.applied])
            #expect(try bench.peer.reports().isEmpty)
        }
        let bench = try await PolicyBench(pinned: pinned, directory: directory)
        try bench.peer.answerReports(with: 200)
        #expect(bench.waitingReports.count == 1)
        let round = await bench.round()
        #expect(round.reportsSent == 1 && bench.waitingReports.isEmpty)
        let reports = try bench.peer.reports()
        #expect(reports.count == 1 && reports[0]["version"] as? Int == 2 && reports[0]["result"] as? String == "applied")
    }

    @Test("a report no rollout tracks (404 rollout.unknown) is let go, so the next report is not held up; another 404 is kept")
    func untrackedReportsDoNotHoldUpTheQueue() async throws {
        let bench = try await PolicyBench(pinned: try F.root())
        let root = try #require(bench.trust.root)
        // A bare 404 (a wrong base URL, say) is not an answer about the report: it waits.
        try bench.peer.answerReports(with: 404)
        try bench.peer.serveBundle(try F.bundle(version: 2, root: root))
        await bench.round()
        bench.cycles()
        let kept = await bench.round()
        #expect(kept.reportsHeldBack && kept.failure == "http_404")
        #expect(bench.waitingReports.map(\.version) == [2])
        // The aggregator says no rollout includes the agent: the first report goes, and the one behind it is tried in
        // the same round (and goes too), where before it waited behind the first for good.
        try bench.peer.serveBundle(try F.bundle(version: 3, root: root))
        await bench.round()
        bench.cycles()
        #expect(bench.waitingReports.map(\.version) == [2, 3])
        try bench.peer.answerReports(with: 404, error: "rollout.unknown")
        let dropped = await bench.round()
        #expect(dropped.reportsSent == 0 && bench.waitingReports.isEmpty)
        #expect(!dropped.reportsHeldBack && dropped.failure == nil)
        // A report the aggregator tracks still goes out as before.
        try bench.peer.answerReports(with: 200)
        try bench.peer.serveBundle(try F.bundle(version: 4, root: root))
        await bench.round()
        bench.cycles()
        #expect(await bench.round().reportsSent == 1)
        #expect(try bench.peer.reports().map { $0["version"] as? Int } == [4])
    }

    @Test("an aggregator serving this agent's bundle to another agent's certificate is refused by it (403), and the agent keeps waiting")
    func anotherAgentsPath() async throws {
        // tx-0413's certificate, asking for tx-0412's bundle: the path is not its own.
        let bench = try await PolicyBench(pinned: try F.root(), agentID: "tx-0413")
        let fetcher = try PolicyFetcher(
            settings: bench.config.policyFetchSettings!, agent: F.agent, trust: bench.trust, cache: bench.cache, inbox: bench.inbox,
            watch: bench.watch, clock: F.frozen, logger: F.logger)
        try bench.peer.serveBundle(try F.bundle(version: 2, root: try #require(bench.trust.root)))
        let round = await fetcher.round()
        #expect(round.bundle == "http_403" && round.failure == "http_403")
    }
}
