import AggregatorKit
import AggregatorTesting
import Foundation
import Testing

/// The SQLite store and the in-memory one keep the same promises.
@Suite("Policy store")
struct PolicyStoreTests {
    enum Kind: String, CaseIterable { case sqlite, memory }

    static func withStore(_ kind: Kind, _ body: (any PolicyStore) async throws -> Void) async throws {
        switch kind {
        case .memory:
            try await body(InMemoryPolicyStore())
        case .sqlite:
            let path = NSTemporaryDirectory() + "policy-store-\(UUID().uuidString).sqlite"
            defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
            let store = try SQLitePolicyStore(path: path)
            defer { store.close() }
            try await body(store)
        }
    }

    static func rollout(id: Int64 = 1, version: Int = 7) -> RolloutStateMachine {
        RolloutStateMachine.start(id: id, version: version, plan: RolloutFixture.plan(agents: 5, canary: 2, waves: 2), by: "j.doe", nowMs: 1_000).0
    }

    @Test("a rollout reads back as written; a second one of the same id or version is a conflict", arguments: Kind.allCases)
    func roundTrip(kind: Kind) async throws {
        try await Self.withStore(kind) { store in
            var machine = Self.rollout()
            try await store.insert(machine.rollout, bundle: [1, 2, 3])
            _ = machine.fetched(by: "tx-001", nowMs: 2_000)
            _ = try machine.report(RolloutFixture.applied(trips: 1, alarms: ["X"]), from: "tx-001", nowMs: 3_000)
            try await store.save(machine.rollout, agents: ["tx-001"])
            let read = try await store.rollouts()
            #expect(read.count == 1 && read[0].bundle == [1, 2, 3] && read[0].rollout == machine.rollout)
            await #expect(throws: PolicyStoreError.self) { try await store.insert(Self.rollout(id: 1, version: 8).rollout, bundle: []) }
            await #expect(throws: PolicyStoreError.self) { try await store.insert(Self.rollout(id: 2, version: 7).rollout, bundle: []) }
        }
    }

    @Test("a save with an older revision never overwrites a newer one", arguments: Kind.allCases)
    func newestRevisionWins(kind: Kind) async throws {
        try await Self.withStore(kind) { store in
            var machine = Self.rollout()
            try await store.insert(machine.rollout, bundle: [])
            _ = machine.fetched(by: "tx-001", nowMs: 2_000)
            let older = machine.rollout
            _ = try machine.report(RolloutFixture.rejected(), from: "tx-001", nowMs: 3_000)
            let newer = machine.rollout
            try await store.save(newer, agents: ["tx-001"])
            try await store.save(older, agents: ["tx-001"])  // finished late
            let read = try await store.rollouts()[0].rollout
            #expect(read == newer && read.state == .halted)
        }
    }

    @Test("roots by version, known agents once, the audit log newest first with paging", arguments: Kind.allCases)
    func rootsAgentsAudit(kind: Kind) async throws {
        try await Self.withStore(kind) { store in
            try await store.insert(StoredRoot(version: 2, envelope: [2], addedAtMs: 1, addedBy: "a"))
            await #expect(throws: PolicyStoreError.self) { try await store.insert(StoredRoot(version: 2, envelope: [9], addedAtMs: 1, addedBy: "b")) }
            #expect(try await store.roots().map(\.envelope) == [[2]])
            try await store.remember(agents: ["tx-2", "tx-1"], nowMs: 5)
            try await store.remember(agents: ["tx-1"], nowMs: 6)
            #expect(try await store.knownAgents() == ["tx-1", "tx-2"])
            for index in 1...5 {
                let entry = try await store.append(AuditEntry(atMs: Int64(index), operatorName: "j.doe", action: "a\(index)", target: "t", outcome: "ok", detail: ""))
                #expect(entry.id == Int64(index))
            }
            #expect(try await store.audit(limit: 2, beforeID: nil).map(\.action) == ["a5", "a4"])
            #expect(try await store.audit(limit: 10, beforeID: 4).map(\.action) == ["a3", "a2", "a1"])
        }
    }
}
