@testable import AgentKit
import EdgeSQLite
import FoundationEssentials
import GridCore
import Testing

@Suite("Agent cache: policy, last-known-good, cycle state and event log, on SQLite and in memory")
struct CacheTests {
    enum Kind: String, CaseIterable { case sqlite, memory }

    static func make(_ kind: Kind, in dir: TemporaryDirectory, capacity: Int = CacheEvent.defaultLogCapacity) throws -> any AgentCache {
        switch kind {
        case .sqlite: try SQLiteAgentCache(path: dir.file("cache.sqlite"), eventLogCapacity: capacity)
        case .memory: InMemoryAgentCache(eventLogCapacity: capacity)
        }
    }

    @Test("a new policy becomes active and the old one last-known-good; revert reinstates it", arguments: Kind.allCases)
    func policyAndRevert(kind: Kind) throws {
        let dir = try TemporaryDirectory()
        let cache = try Self.make(kind, in: dir)
        #expect(try cache.activePolicy() == nil)
        #expect(try cache.revertToLastKnownGood() == nil)

        try cache.storePolicy(CacheFixtures.policy(version: 1, ratedKVA: 160), bundleBytes: [1, 2, 3], receivedAt: .init(secondsSinceEpoch: 10))
        try cache.storePolicy(CacheFixtures.policy(version: 2, ratedKVA: 250), bundleBytes: [4, 5], receivedAt: .init(secondsSinceEpoch: 20))
        let active = try #require(try cache.activePolicy())
        #expect(active.policy == CacheFixtures.policy(version: 2, ratedKVA: 250))
        #expect(active.bundleBytes == [4, 5])
        #expect(active.receivedAt.secondsSinceEpoch == 20)
        #expect(try cache.lastKnownGoodPolicy()?.policy == CacheFixtures.policy(version: 1, ratedKVA: 160))

        let reverted = try #require(try cache.revertToLastKnownGood())
        #expect(reverted.version == 1 && reverted.bundleBytes == [1, 2, 3])
        #expect(try cache.activePolicy()?.policy.transformer.ratedKVA == 160)
        #expect(try cache.lastKnownGoodPolicy() == nil)
    }

    @Test("anti-rollback in storePolicy itself: a lower or equal version is refused with a typed error, nothing changes",
          arguments: Kind.allCases)
    func antiRollback(kind: Kind) throws {
        let dir = try TemporaryDirectory()
        let cache = try Self.make(kind, in: dir)
        #expect(try cache.highestPolicyVersion() == nil)
        try cache.storePolicy(CacheFixtures.policy(version: 5, ratedKVA: 160), bundleBytes: [5], receivedAt: .init(secondsSinceEpoch: 1))
        try cache.storePolicy(CacheFixtures.policy(version: 7, ratedKVA: 250), bundleBytes: [7], receivedAt: .init(secondsSinceEpoch: 2))
        for version in [7, 6, 5, 1, 0, -3] {
            let error = try #require(throws: CacheError.self) {
                try cache.storePolicy(CacheFixtures.policy(version: version, ratedKVA: 999), bundleBytes: [0], receivedAt: .init(secondsSinceEpoch: 3))
            }
            #expect(error.isPolicyRollback && error.alarmCode == nil && error.label == "policy_rollback")
            #expect(error.message.contains("policy version \(version) refused") && error.message.contains("version 7"), "\(error)")
        }
        // Nothing changed: the active and the last-known-good are the ones stored before.
        #expect(try cache.activePolicy()?.bundleBytes == [7] && cache.lastKnownGoodPolicy()?.bundleBytes == [5])
        #expect(try cache.highestPolicyVersion() == 7)

        // A revert does not lower the mark: the policy reverted from cannot come back under its version.
        #expect(try cache.revertToLastKnownGood()?.version == 5)
        #expect(try cache.highestPolicyVersion() == 7)
        #expect(throws: CacheError.self) {
            try cache.storePolicy(CacheFixtures.policy(version: 7), bundleBytes: [7], receivedAt: .init(secondsSinceEpoch: 4))
        }
        try cache.storePolicy(CacheFixtures.policy(version: 8), bundleBytes: [8], receivedAt: .init(secondsSinceEpoch: 5))
        #expect(try cache.activePolicy()?.version == 8 && cache.lastKnownGoodPolicy()?.version == 5)
    }

    @Test("the anti-rollback mark survives a restart, a revert and a copy into memory")
    func antiRollbackPersists() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("cache.sqlite")
        do {
            let cache = try SQLiteAgentCache(path: path)
            try cache.storePolicy(CacheFixtures.policy(version: 3), bundleBytes: [3], receivedAt: .init(secondsSinceEpoch: 1))
            try cache.storePolicy(CacheFixtures.policy(version: 4), bundleBytes: [4], receivedAt: .init(secondsSinceEpoch: 2))
            try cache.revertToLastKnownGood()
        }
        let reopened = try SQLiteAgentCache(path: path)
        #expect(try reopened.activePolicy()?.version == 3 && reopened.highestPolicyVersion() == 4)
        #expect(throws: CacheError.self) {
            try reopened.storePolicy(CacheFixtures.policy(version: 4), bundleBytes: [4], receivedAt: .init(secondsSinceEpoch: 3))
        }
        let memory = try reopened.copyIntoMemory()
        #expect(try memory.highestPolicyVersion() == 4 && memory.activePolicy()?.version == 3)
        #expect(throws: CacheError.self) {
            try memory.storePolicy(CacheFixtures.policy(version: 4), bundleBytes: [4], receivedAt: .init(secondsSinceEpoch: 3))
        }
    }

    @Test("a cache written before the mark existed takes it from the policies it holds")
    func antiRollbackMigration() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("cache.sqlite")
        do {
            // The first schema alone, with a policy in it, as an agent of the earlier version left it.
            let db = try SQLiteDatabase(path: path)
            var first = SQLiteMigrator()
            first.registerMigration("agent-cache-1: policy, cycle state, events") { _ in }
            try db.execute("""
                CREATE TABLE policy (slot TEXT PRIMARY KEY NOT NULL CHECK (slot IN ('active', 'last_known_good')),
                    version INTEGER NOT NULL, policy_json BLOB NOT NULL, bundle BLOB NOT NULL, received_at REAL NOT NULL);
                CREATE TABLE cycle_state (id INTEGER PRIMARY KEY CHECK (id = 1), state_json BLOB, saved_at REAL);
                INSERT INTO cycle_state (id) VALUES (1);
                CREATE TABLE events (sequence INTEGER PRIMARY KEY AUTOINCREMENT, at REAL NOT NULL, code TEXT NOT NULL, message TEXT NOT NULL);
                """)
            try first.migrate(db)
            let json = try JSONEncoder().encode(CacheFixtures.policy(version: 6))
            let insert = try db.prepare("INSERT INTO policy VALUES ('active', 6, ?, x'06', 1)")
            try insert.bind(.blob([UInt8](json)))
            _ = try insert.step()
        }
        let cache = try SQLiteAgentCache(path: path)
        #expect(try cache.activePolicy()?.version == 6 && cache.highestPolicyVersion() == 6)
        #expect(throws: CacheError.self) {
            try cache.storePolicy(CacheFixtures.policy(version: 6), bundleBytes: [6], receivedAt: .init(secondsSinceEpoch: 2))
        }
    }

    @Test("the cycle state survives a restart with the very same thermal state")
    func stateSurvivesRestart() throws {
        let dir = try TemporaryDirectory()
        let (state, time) = try CacheFixtures.warmState()
        let thermal = try #require(state.thermal)
        #expect(thermal.hotSpotC > 30, "the fixture must be warm, or the test proves nothing")
        do {
            let cache = try SQLiteAgentCache(path: dir.file("cache.sqlite"))
            #expect(try cache.loadCycleState() == nil)
            try cache.storeCycleState(CycleState(), at: time + (-1))
            try cache.storeCycleState(state, at: time)
            try cache.storePolicy(CacheFixtures.policy(version: 7), bundleBytes: [7], receivedAt: time)
        }
        // "Reboot": a new connection on the same file.
        let reopened = try SQLiteAgentCache(path: dir.file("cache.sqlite"))
        let (loaded, savedAt) = try #require(try reopened.loadCycleState())
        // Everything but the horizon plan, which is made afresh after a restart.
        var expected = state
        expected.horizon = nil
        #expect(loaded == expected)
        #expect(loaded.loadHistory == state.loadHistory && loaded.loadHistory != nil)
        #expect(loaded.thermal?.hotSpotC == thermal.hotSpotC)
        #expect(savedAt == time)
        #expect(try reopened.activePolicy()?.version == 7)
    }

    @Test("non-finite filter values are stored and read back", arguments: Kind.allCases)
    func nonFinite(kind: Kind) throws {
        let dir = try TemporaryDirectory()
        let cache = try Self.make(kind, in: dir)
        var state = CycleState()
        state.thermal = ThermalState(topOilC: .infinity, hotSpotRiseH1K: -.infinity, hotSpotRiseH2K: 1.5, lossOfLifeHours: 0.1 + 0.2)
        try cache.storeCycleState(state, at: .init(secondsSinceEpoch: 1))
        let loaded = try #require(try cache.loadCycleState()).0
        #expect(loaded.thermal?.topOilC == .infinity && loaded.thermal?.hotSpotRiseH1K == -.infinity)
        #expect(loaded.thermal?.lossOfLifeHours == 0.1 + 0.2)
    }

    @Test("the event log keeps only the newest N, newest first", arguments: Kind.allCases)
    func eventLogBound(kind: Kind) throws {
        let dir = try TemporaryDirectory()
        let cache = try Self.make(kind, in: dir, capacity: 50)
        for index in 1...173 {
            try cache.appendEvent(code: "E\(index)", message: "event \(index)", at: .init(secondsSinceEpoch: Double(index)))
        }
        let all = try cache.recentEvents(limit: 1_000)
        #expect(all.count == 50)
        #expect(all.first?.code == "E173" && all.last?.code == "E124")
        #expect(all.map(\.sequence) == (124...173).reversed().map { Int64($0) })
        #expect(try cache.recentEvents(limit: 3).map(\.message) == ["event 173", "event 172", "event 171"])
    }

    @Test("the SQLite event log stays bounded across a restart")
    func eventLogBoundAfterRestart() throws {
        let dir = try TemporaryDirectory()
        do {
            let cache = try SQLiteAgentCache(path: dir.file("cache.sqlite"), eventLogCapacity: 10)
            for index in 1...15 { try cache.appendEvent(code: "A", message: "\(index)", at: .init(secondsSinceEpoch: 0)) }
        }
        let cache = try SQLiteAgentCache(path: dir.file("cache.sqlite"), eventLogCapacity: 10)
        try cache.appendEvent(code: "B", message: "16", at: .init(secondsSinceEpoch: 1))
        let events = try cache.recentEvents(limit: 100)
        #expect(events.count == 10)
        #expect(events.map(\.message) == (7...16).reversed().map { "\($0)" })
    }
}
