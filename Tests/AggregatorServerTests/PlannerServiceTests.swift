import AggregatorKit
import AggregatorServer
import AggregatorTesting
import Foundation
import GridCore
import Logging
import MeshPlanner
import PolicyTrust
import ServiceLifecycle
import Testing

@Suite("Planner service")
struct PlannerServiceTests {
    typealias F = PlannerFixture
    static let logger = Logger(label: "planner-service-tests") { _ in SwiftLogNoOpLogHandler() }

    /// The service's parts, kept so a test can look at them (and start a second service on the same store).
    struct Rig {
        let store: FakeGoalStore
        let fleet: FleetStateBoard
        let envelopes = EnvelopeBoard()
        let plans = PlanBoard()
        let metrics = AggregatorMetrics()

        func service(period: Duration = .seconds(30), now: @escaping @Sendable () -> Timestamp = { F.now }) throws -> PlannerService<ContinuousClock> {
            PlannerService(
                fleetState: fleet, goals: store, envelopes: envelopes, plans: plans, signer: try F.signer(), settings: PlannerSettings(),
                period: period, progressInterval: .milliseconds(20), clock: ContinuousClock(), now: now, metrics: metrics.planner,
                logger: PlannerServiceTests.logger)
        }

        func metric(_ series: String) -> Double? { metricValue(String(decoding: metrics.render(), as: UTF8.self), series) }

        /// Whether `series` is within 1e-6 of `value`.
        func metric(_ series: String, is value: Double) -> Bool { metric(series).map { abs($0 - value) < 1e-6 } ?? false }
    }

    static func rig(goals: [NeighborhoodGoal] = [F.discharge(30)], sequence: Int = 0, store: FakeGoalStore? = nil) -> Rig {
        Rig(store: store ?? FakeGoalStore(goals, sequence: sequence), fleet: F.board(["tx-1", "tx-2", "tx-3"].map { F.transformer($0) }))
    }

    @Test("a pass records its sequence in the store, then puts one verified envelope per agent on the board")
    func passPosts() async throws {
        let rig = Self.rig(sequence: 12)
        let pass = try await rig.service().runPass()
        #expect(pass.failure == nil)
        let sequence = try #require(pass.sequence)
        #expect(sequence > 12)
        #expect(rig.store.sequence == sequence)
        let posted = rig.envelopes.all(at: F.now)
        #expect(posted.map(\.agentID) == ["tx-1", "tx-2", "tx-3"])
        for envelope in posted {
            _ = try EnvelopeDocument.verify(envelope.bytes, root: policyFixture.root, agentID: envelope.agentID, lastSequence: 12, now: F.now)
        }
        // Lapsed by their own valid_until: nothing is handed out after it.
        #expect(rig.envelopes.all(at: F.now + 75).isEmpty)
        #expect(rig.metric("v2g_planner_passes_total") == 1)
        #expect(rig.metric("v2g_planner_envelopes_signed_total") == 3)
        #expect(rig.metric(#"v2g_planner_goal_planned_kw{goal="evening-peak"}"#, is: -30))
        #expect(rig.metric(#"v2g_planner_goal_target_kw{goal="evening-peak"}"#, is: -30))
        #expect(rig.metric(#"v2g_planner_goal_shortfall_kw{goal="evening-peak"}"#, is: 0))
        #expect(rig.metric(#"v2g_planner_transformer_planned_kw{transformer="tx-2"}"#, is: -10))
        // Achieved: the boards' reports, 2 − 3 + 0 + 6 kW per transformer, phase B −3 + 6/3.
        #expect(rig.metric(#"v2g_planner_goal_achieved_kw{goal="evening-peak"}"#, is: 15))
        #expect(rig.metric(#"v2g_planner_transformer_achieved_kw{transformer="tx-2"}"#, is: 5))
        #expect(rig.metric(#"v2g_planner_phase_achieved_kw{transformer="tx-2",phase="B"}"#, is: -1))
        #expect(rig.metric(#"v2g_planner_envelope_sequence"#, is: Double(sequence)))
        #expect(rig.metric("v2g_planner_last_pass_duration_seconds") != nil)
    }

    @Test("sequences keep increasing across a restart of the service on the same store")
    func sequenceAcrossRestart() async throws {
        let store = FakeGoalStore([F.discharge(30)])
        let first = try await Self.rig(store: store).service().runPass()
        let second = try await Self.rig(store: store).service().runPass()  // a new process: empty boards
        let third = try await Self.rig(store: store).service().runPass()
        let sequences = try [first, second, third].map { try #require($0.sequence) }
        #expect(sequences[0] < sequences[1] && sequences[1] < sequences[2])
        #expect(store.sequence == sequences[2])
    }

    @Test("an unreadable goal store: the pass posts nothing, takes down the last pass's envelopes and counts the failure")
    func failingStore() async throws {
        let rig = Self.rig()
        let service = try rig.service()
        #expect(await service.runPass().failure == nil)
        #expect(rig.envelopes.all(at: F.now).count == 3)
        rig.store.failReads(true)
        let failed = await service.runPass()
        #expect(failed.failure?.label == "goal_store.unavailable")
        #expect(failed.plan == nil)
        #expect(rig.envelopes.all(at: F.now).isEmpty)
        #expect(rig.metric(#"v2g_planner_passes_failed_total{reason="goal_store.unavailable"}"#) == 1)
        #expect(rig.metric(#"v2g_planner_goal_planned_kw{goal="evening-peak"}"#) == nil)  // no plan: no planned series
        rig.store.failReads(false)
        #expect(await service.runPass().envelopes.count == 3)
    }

    @Test("a sequence that cannot be recorded: nothing is posted, and the next pass still goes above every sequence issued")
    func unrecordedSequence() async throws {
        let rig = Self.rig()
        let service = try rig.service()
        let first = try #require(await service.runPass().sequence)
        rig.store.failSequenceWrites(true)
        let failed = await service.runPass()
        #expect(failed.failure?.label == "sequence.not_persisted")
        #expect(failed.envelopes.isEmpty)
        #expect(rig.envelopes.all(at: F.now).isEmpty)
        #expect(rig.store.sequence == first)
        rig.store.failSequenceWrites(false)
        let next = try #require(await service.runPass().sequence)
        #expect(next > first)
    }

    @Test("run: a pass every period under a ServiceGroup, the board kept full, then a graceful stop")
    func runsUntilShutdown() async throws {
        let rig = Self.rig()
        // Reports dated by the wall clock: the passes plan at the wall clock too.
        let wall = { @Sendable in Timestamp(secondsSinceEpoch: Date().timeIntervalSince1970) }
        let reports = ["tx-1", "tx-2"].map { F.transformer($0, at: wall(), ageS: 0) }  // fresh for the whole test (max age 1 h)
        let fleet = F.board(reports)
        let running = Rig(store: rig.store, fleet: fleet)
        let service = PlannerService(
            fleetState: fleet, goals: rig.store, envelopes: running.envelopes, plans: running.plans, signer: try F.signer(),
            settings: PlannerSettings(maxReportAgeS: 3_600), period: .milliseconds(100), progressInterval: .milliseconds(20),
            clock: ContinuousClock(), now: wall, metrics: running.metrics.planner, logger: Self.logger)
        let group = ServiceGroup(configuration: .init(services: [service], gracefulShutdownSignals: [], logger: Self.logger))
        var sequences: [Int] = []
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            // A loaded machine may be slow to schedule the service: wait for three passes, generously.
            let deadline = ContinuousClock.now + .seconds(120)
            while (running.plans.lastPass?.number ?? 0) < 3, ContinuousClock.now < deadline {
                if let s = running.plans.lastPass?.sequence, sequences.last != s { sequences.append(s) }
                try await Task.sleep(for: .milliseconds(10))
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        let last = try #require(running.plans.lastPass)
        #expect(last.number >= 3)
        #expect(last.failure == nil)
        #expect(running.envelopes.all(at: wall()).map(\.agentID) == ["tx-1", "tx-2"])
        #expect(rig.store.sequence == last.sequence)
        #expect(sequences == sequences.sorted() && Set(sequences).count == sequences.count)
        #expect((running.metric("v2g_planner_passes_total") ?? 0) >= 3)
    }
}
