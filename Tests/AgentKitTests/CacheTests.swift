@testable import AgentKit
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

        // The same version again replaces in place and keeps the last-known-good.
        try cache.storePolicy(CacheFixtures.policy(version: 2, ratedKVA: 250), bundleBytes: [6], receivedAt: .init(secondsSinceEpoch: 30))
        #expect(try cache.lastKnownGoodPolicy()?.version == 1)
        #expect(try cache.activePolicy()?.bundleBytes == [6])

        let reverted = try #require(try cache.revertToLastKnownGood())
        #expect(reverted.version == 1 && reverted.bundleBytes == [1, 2, 3])
        #expect(try cache.activePolicy()?.policy.transformer.ratedKVA == 160)
        #expect(try cache.lastKnownGoodPolicy() == nil)
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
