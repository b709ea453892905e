@testable import AgentKit
import FoundationEssentials
import GridCore
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite("Agent cache: a bad, unwritable or full cache never stops the agent")
struct CacheFallbackTests {
    @Test("a garbage file raises CACHE_CORRUPT, is moved aside, and a fresh cache works")
    func garbageFile() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("cache.sqlite")
        let garbage = Data((0..<8_192).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) })
        try garbage.write(to: URL(filePath: path))

        let (cache, alarms) = SQLiteAgentCache.open(path: path, logger: CacheFixtures.logger)
        #expect(alarms.map(\.code) == [.corrupt])
        #expect(cache is SQLiteAgentCache)
        let moved = try #require(try dir.names().first { $0.hasPrefix("cache.sqlite.corrupt-") })
        #expect(try Data(contentsOf: URL(filePath: dir.file(moved))) == garbage)
        #expect(alarms.first?.message.contains(moved) == true)

        try cache.storePolicy(CacheFixtures.policy(version: 3), bundleBytes: [9], receivedAt: .init(secondsSinceEpoch: 1))
        #expect(try cache.activePolicy()?.version == 3)
    }

    @Test("a database whose pages are damaged fails quick_check and is replaced")
    func damagedPages() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("cache.sqlite")
        do {
            let cache = try SQLiteAgentCache(path: path)
            for index in 0..<400 {
                try cache.appendEvent(code: "FILL", message: String(repeating: "x", count: 200) + "\(index)", at: .init(secondsSinceEpoch: 0))
            }
        }
        // Closing the last connection checkpointed the WAL into the file; now scribble over its pages 3…8.
        let fd = open(path, O_WRONLY)
        try #require(fd >= 0)
        let scribble = [UInt8](repeating: 0xA5, count: 6 * 4_096)
        #expect(scribble.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 2 * 4_096) } == scribble.count)
        close(fd)

        let (cache, alarms) = SQLiteAgentCache.open(path: path, logger: CacheFixtures.logger)
        #expect(alarms.map(\.code) == [.corrupt])
        #expect(try dir.names().contains { $0.hasPrefix("cache.sqlite.corrupt-") })
        #expect(try cache.recentEvents(limit: 10).isEmpty)
    }

    @Test("a directory that cannot hold the cache gives an in-memory cache, an alarm, and the safe defaults")
    func unwritableDirectory() throws {
        let dir = try TemporaryDirectory()
        // A regular file where the state directory should be: not even root can create a file below it.
        let blocker = dir.file("state")
        try Data("not a directory".utf8).write(to: URL(filePath: blocker))

        let (cache, alarms) = SQLiteAgentCache.open(path: "\(blocker)/cache.sqlite", logger: CacheFixtures.logger)
        #expect(cache is InMemoryAgentCache)
        #expect(alarms.map(\.code) == [.unreadable])
        #expect(alarms.first?.message.contains("in-memory") == true)

        let guarded = GuardedCache(cache, openingAlarms: alarms, logger: CacheFixtures.logger)
        #expect(guarded.policyInForce() == .builtInSafeDefaults)
        #expect(guarded.activeAlarms.map(\.code) == [.unreadable])
        #expect(guarded.saveCycleState(CycleState(), at: .init(secondsSinceEpoch: 1)))
        // Opening alarms hold until a restart even though writes now succeed (in memory).
        #expect(guarded.activeAlarms.map(\.code) == [.unreadable])
    }

    @Test("a read-only directory gives an in-memory cache", .enabled(if: getuid() != 0, "root ignores directory permissions"))
    func readOnlyDirectory() throws {
        let dir = try TemporaryDirectory()
        let locked = dir.file("locked")
        try FileManager.default.createDirectory(atPath: locked, withIntermediateDirectories: false)
        chmod(locked, 0o500)
        defer { chmod(locked, 0o700) }
        let (cache, alarms) = SQLiteAgentCache.open(path: "\(locked)/cache.sqlite", logger: CacheFixtures.logger)
        #expect(cache is InMemoryAgentCache)
        #expect(alarms.map(\.code) == [.unreadable])
    }

    @Test("a full disk (max_page_count) is CACHE_FULL; the agent-level calls do not throw and retry")
    func fullDisk() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("cache.sqlite")
        // A cap below the current size pins the file at its current size: the next new page is "disk full".
        let capped = try SQLiteAgentCache(path: path, maximumPageCount: 1)
        var failure: CacheError?
        for index in 0..<200 where failure == nil {
            do {
                try capped.appendEvent(code: "FILL", message: String(repeating: "y", count: 900) + "\(index)", at: .init(secondsSinceEpoch: 0))
            } catch {
                failure = error
            }
        }
        let error = try #require(failure)
        #expect(error.isFull && error.alarmCode == .full && error.label == "cache_full")
        #expect(error.description.contains(path))

        let guarded = GuardedCache(capped, logger: CacheFixtures.logger)
        guarded.recordEvent(code: "TRIP_OV2", message: String(repeating: "z", count: 900), at: .init(secondsSinceEpoch: 5))
        #expect(guarded.activeAlarms.map(\.code) == [.full])
        #expect(guarded.errorCounts["cache_full"] == 1)
        #expect(guarded.adoptPolicy(CacheFixtures.policy(version: 4), bundleBytes: Array(repeating: 1, count: 20_000), receivedAt: .init(secondsSinceEpoch: 5)) == .deferred)
        // The policy that could not be written is still the one in force.
        #expect(guarded.policyInForce().version == 4)
        // The next cycle retries; still full, so the alarm holds and nothing throws.
        _ = guarded.saveCycleState(CycleState(), at: .init(secondsSinceEpoch: 6))
        #expect(guarded.activeAlarms.map(\.code) == [.full])
        #expect(guarded.errorCounts["cache_full", default: 0] >= 3)
    }

    @Test("once space is back the pending policy and events are written and the alarm clears")
    func retryAfterFull() throws {
        let flaky = FlakyCache()
        let guarded = GuardedCache(flaky, logger: CacheFixtures.logger)
        flaky.full = true
        #expect(guarded.adoptPolicy(CacheFixtures.policy(version: 9), bundleBytes: [1], receivedAt: .init(secondsSinceEpoch: 1)) == .deferred)
        // Waiting in memory, it is still the mark to beat: an older policy cannot slip in while the disk is full.
        guard case .refused = guarded.adoptPolicy(CacheFixtures.policy(version: 8), bundleBytes: [1], receivedAt: .init(secondsSinceEpoch: 1)) else {
            Issue.record("an older policy must be refused while a newer one waits"); return
        }
        #expect(guarded.policyInForce().version == 9)
        guarded.recordEvent(code: "POLICY_ADOPTED", message: "v9", at: .init(secondsSinceEpoch: 1))
        #expect(!guarded.saveCycleState(CycleState(), at: .init(secondsSinceEpoch: 2)))
        #expect(guarded.activeAlarms.map(\.code) == [.full])

        flaky.full = false
        #expect(guarded.saveCycleState(CycleState(), at: .init(secondsSinceEpoch: 3)))
        #expect(guarded.activeAlarms.isEmpty)
        #expect(try flaky.activePolicy()?.version == 9)
        #expect(try flaky.recentEvents(limit: 5).map(\.code) == ["POLICY_ADOPTED"])
        #expect(try flaky.loadCycleState()?.1.secondsSinceEpoch == 3)
    }

    @Test("a full disk at open runs in memory, seeded with the cached policy")
    func fullAtOpenKeepsPolicy() throws {
        // Simulated: the policy is read from the file even when it cannot be written.
        let dir = try TemporaryDirectory()
        let path = dir.file("cache.sqlite")
        do {
            let cache = try SQLiteAgentCache(path: path)
            try cache.storePolicy(CacheFixtures.policy(version: 5, ratedKVA: 315), bundleBytes: [5], receivedAt: .init(secondsSinceEpoch: 1))
        }
        let readOnly = try SQLiteAgentCache(path: path, eventLogCapacity: 100, maximumPageCount: nil, readOnly: true)
        let memory = try readOnly.copyIntoMemory()
        #expect(try memory.activePolicy()?.policy.transformer.ratedKVA == 315)
    }
}

/// An in-memory cache whose writes fail with "disk full" while `full` is set.
final class FlakyCache: AgentCache, @unchecked Sendable {
    // @unchecked: `full` is only toggled by the single test that owns the instance, between calls.
    var full = false
    private let inner = InMemoryAgentCache()

    private func check() throws(CacheError) { if full { throw .full("simulated disk full") } }

    func storePolicy(_ policy: ControlPolicy, bundleBytes: [UInt8], receivedAt: Timestamp) throws(CacheError) {
        try check()
        try inner.storePolicy(policy, bundleBytes: bundleBytes, receivedAt: receivedAt)
    }
    func highestPolicyVersion() throws(CacheError) -> Int? { try inner.highestPolicyVersion() }
    func activePolicy() throws(CacheError) -> CachedPolicy? { try inner.activePolicy() }
    func lastKnownGoodPolicy() throws(CacheError) -> CachedPolicy? { try inner.lastKnownGoodPolicy() }
    func revertToLastKnownGood() throws(CacheError) -> CachedPolicy? { try check(); return try inner.revertToLastKnownGood() }
    func storeCycleState(_ state: CycleState, at time: Timestamp) throws(CacheError) {
        try check()
        try inner.storeCycleState(state, at: time)
    }
    func loadCycleState() throws(CacheError) -> (CycleState, Timestamp)? { try inner.loadCycleState() }
    func appendEvent(code: String, message: String, at time: Timestamp) throws(CacheError) {
        try check()
        try inner.appendEvent(code: code, message: message, at: time)
    }
    func recentEvents(limit: Int) throws(CacheError) -> [CacheEvent] { try inner.recentEvents(limit: limit) }
    func dropActivePolicy() throws(CacheError) { try check(); try inner.dropActivePolicy() }
    func enqueuePolicyReport(_ body: [UInt8], at time: Timestamp) throws(CacheError) {
        try check()
        try inner.enqueuePolicyReport(body, at: time)
    }
    func pendingPolicyReports(limit: Int) throws(CacheError) -> [PolicyReportRecord] { try inner.pendingPolicyReports(limit: limit) }
    func removePolicyReport(sequence: Int64) throws(CacheError) { try check(); try inner.removePolicyReport(sequence: sequence) }
    func record(named name: String) throws(CacheError) -> [UInt8]? { try inner.record(named: name) }
    func storeRecord(_ value: [UInt8]?, named name: String) throws(CacheError) { try check(); try inner.storeRecord(value, named: name) }
}
