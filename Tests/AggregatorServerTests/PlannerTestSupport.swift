import AggregatorKit
import AggregatorTesting
import EdgeCrypto
import Foundation
import GridCore
import MeshPlanner
import PolicyTrust
import Synchronization

/// Neighborhoods, goals, a goal store and a signer for the planning service's tests. The signer uses the rollout
/// fixture's root (envelope key 21, threshold 1, max_validity_s 300), which expires a year from the wall clock.
enum PlannerFixture {
    /// The planning time of the pure tests: the wall clock to the second (the root's expiry is on the wall clock).
    static let now = Timestamp(secondsSinceEpoch: Date().timeIntervalSince1970.rounded(.down))
    static let envelopeKey = SignedPolicyFixture.key(21)

    static func signer(validityS: Double = 75, at time: Timestamp = now) throws -> EnvelopeSigner {
        try EnvelopeSigner(root: policyFixture.root, keys: [envelopeKey], validityS: validityS, now: time)
    }

    /// A 100 kVA transformer with a household load of 14 kW per phase and four V2G EVs, one per phase and one
    /// three-phase, each free to discharge at 7.4 kW (11 kW three-phase) until tomorrow morning. `hot`: a 36 °C
    /// ambient and a 93 °C hot-spot, little thermal room left.
    static func transformer(_ id: String, at time: Timestamp = now, ageS: Double = 1, hot: Bool = false) -> TransformerReport {
        let morning = time + 13 * 3_600
        func ev() -> EVReport {
            EVReport(socPercent: 60, energyAvailableKWh: 24, energyNeededKWh: 5, departure: morning, v2gAgreed: true)
        }
        let chargers = [
            ChargerReport(id: "evse-a", connection: .single(.a), powerKW: 2, ratedChargeKW: 7.4, ratedDischargeKW: 7.4, ev: ev()),
            ChargerReport(id: "evse-b", connection: .single(.b), powerKW: -3, ratedChargeKW: 7.4, ratedDischargeKW: 7.4, ev: ev()),
            ChargerReport(id: "evse-c", connection: .single(.c), ratedChargeKW: 7.4, ratedDischargeKW: 7.4, ev: ev()),
            ChargerReport(id: "evse-3p", connection: .threePhase, powerKW: 6, ratedChargeKW: 11, ratedDischargeKW: 11, ev: ev()),
        ]
        let phases = PerPhase<PhaseMeasurement> { phase in
            let ev = chargers.reduce(0.0) { $0 + $1.connection.share(of: phase) * $1.powerKW }
            return PhaseMeasurement(activePowerKW: 14 + ev, reactivePowerKvar: 1)
        }
        return TransformerReport(
            id: id, reportTime: time + (-ageS), ratedKVA: 100, phases: phases,
            thermal: hot
                ? TransformerThermalReport(topOilC: 82, hotSpotC: 93, ambientC: 36)
                : TransformerThermalReport(topOilC: 38, hotSpotC: 47, ambientC: 8),
            phaseBalanceLimitKW: 10, chargers: chargers)
    }

    static func snapshot(_ reports: [TransformerReport], at time: Timestamp = now) -> NeighborhoodSnapshot {
        NeighborhoodSnapshot(time: time, transformers: reports)
    }

    static func discharge(_ kw: Double, id: String = "evening-peak", at time: Timestamp = now) -> NeighborhoodGoal {
        NeighborhoodGoal(id: id, start: time + (-600), end: time + 3_600, action: .discharge(kilowatts: kw))
    }

    /// A fleet board holding `reports`, received now.
    static func board(_ reports: [TransformerReport], at time: Timestamp = now) -> FleetStateBoard {
        let board = FleetStateBoard()
        for report in reports { board.record(.init(report: report, sequence: 1, receivedAt: time)) }
        return board
    }
}

/// A goal store in memory whose reads and sequence writes can be made to fail (the planner's tests; the real store's
/// own tests are with it).
final class FakeGoalStore: GoalStore {
    private struct State {
        var goals: [StoredGoal] = []
        var sequence = 0
        var failReads = false
        var failSequenceWrites = false
    }

    private let state = Mutex(State())

    init(_ goals: [NeighborhoodGoal] = [], sequence: Int = 0) {
        state.withLock {
            $0.goals = goals.map { StoredGoal(goal: $0, setBy: "ops", setAtMs: 0) }
            $0.sequence = sequence
        }
    }

    var sequence: Int { state.withLock { $0.sequence } }
    func failReads(_ fail: Bool) { state.withLock { $0.failReads = fail } }
    func failSequenceWrites(_ fail: Bool) { state.withLock { $0.failSequenceWrites = fail } }

    func goals() async throws(GoalStoreError) -> [StoredGoal] {
        let (goals, fail) = state.withLock { ($0.goals, $0.failReads) }
        if fail { throw GoalStoreError(.unavailable, "disk I/O error (test)") }
        return goals
    }

    func listing() async throws(GoalStoreError) -> GoalListing {
        GoalListing(goals: try await goals(), unreadable: [])
    }

    func goal(id: String) async throws(GoalStoreError) -> StoredGoal? {
        try await goals().first { $0.goal.id == id }
    }

    func insert(_ goal: StoredGoal) async throws(GoalStoreError) {
        try state.withLock { state throws(GoalStoreError) in
            guard !state.goals.contains(where: { $0.goal.id == goal.goal.id }) else { throw GoalStoreError(.conflict, goal.goal.id) }
            state.goals.append(goal)
        }
    }

    func remove(id: String) async throws(GoalStoreError) -> Bool {
        state.withLock { state in
            let before = state.goals.count
            state.goals.removeAll { $0.goal.id == id }
            return state.goals.count < before
        }
    }

    func envelopeSequence() async throws(GoalStoreError) -> Int {
        let (sequence, fail) = state.withLock { ($0.sequence, $0.failReads) }
        if fail { throw GoalStoreError(.unavailable, "disk I/O error (test)") }
        return sequence
    }

    func setEnvelopeSequence(_ sequence: Int) async throws(GoalStoreError) {
        try state.withLock { state throws(GoalStoreError) in
            if state.failSequenceWrites { throw GoalStoreError(.unavailable, "database or disk is full (test)") }
            state.sequence = max(state.sequence, sequence)
        }
    }
}
