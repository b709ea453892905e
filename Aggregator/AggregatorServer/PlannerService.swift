public import AggregatorKit
import Dispatch
public import GridCore
public import Logging
public import MeshPlanner
import PolicyTrust
public import ServiceLifecycle

/// Plans the neighborhood every `period` and posts one signed envelope per planned transformer (docs/neighborhood.md,
/// "The planning service"). Each pass:
/// 1. reads the goals and the envelope sequence high-water from the goal store (unreadable: no envelopes at all,
///    since with no goals known the fail-safe is every agent on its own policy);
/// 2. plans on a snapshot of the fleet board and writes the envelope documents (`PlanningPass`, pure);
/// 3. records the pass's sequence in the goal store before anything is posted (a sequence not recorded could be
///    issued again after a restart, and agents refuse a replay);
/// 4. signs and puts the envelopes up on the envelope board, replacing the last pass's: an agent with none this
///    pass gets none, and its last one lapses by its own `valid_until`.
///
/// The plan and the signatures are CPU work (about 30 ms for 1,000 transformers, and half a millisecond per envelope
/// signed and verified), so they run on the planner's own serial queue, never on the cooperative pool that serves
/// the agents. Between passes the planned-against-achieved gauges are refreshed from the fleet board every
/// `progressInterval`.
public struct PlannerService<C: Clock>: Service where C.Duration == Duration {
    let fleetState: FleetStateBoard
    let goals: any GoalStore
    let envelopes: EnvelopeBoard
    let plans: PlanBoard
    let signer: EnvelopeSigner
    let settings: PlannerSettings
    let period: Duration
    let progressInterval: Duration
    let clock: C
    let now: @Sendable () -> Timestamp
    let metrics: PlannerMetrics
    let logger: Logger

    /// `clock` paces the passes, `now` is the wall clock the plan and the envelopes are dated by (both injected for
    /// tests). `fleetState` and `envelopes` are the boards the state route fills and reads.
    public init(
        fleetState: FleetStateBoard, goals: any GoalStore, envelopes: EnvelopeBoard, plans: PlanBoard, signer: EnvelopeSigner,
        settings: PlannerSettings, period: Duration, progressInterval: Duration = .seconds(5), clock: C,
        now: @escaping @Sendable () -> Timestamp, metrics: PlannerMetrics, logger: Logger
    ) {
        self.fleetState = fleetState
        self.goals = goals
        self.envelopes = envelopes
        self.plans = plans
        self.signer = signer
        self.settings = settings
        self.period = period
        self.progressInterval = progressInterval
        self.clock = clock
        self.now = now
        self.metrics = metrics
        self.logger = logger
    }

    public func run() async throws {
        logger.info("planner started", metadata: [
            "planner.period_s": "\(period)", "planner.envelope_validity_s": "\(signer.validityS)",
            "planner.root_version": "\(signer.root.version)", "planner.envelope_keys": "\(signer.keyIDs.map { $0.prefix(16) })",
        ])
        // Graceful shutdown cancels the wait; envelopes already posted lapse at the agents by their own valid_until.
        try? await cancelWhenGracefulShutdown {
            // The first pass waits one period: the fleet board fills from the agents' state reports meanwhile.
            var nextPass = clock.now.advanced(by: period)
            while !Task.isCancelled {
                let wake = min(nextPass, clock.now.advanced(by: progressInterval))
                try await clock.sleep(until: wake, tolerance: nil)
                if clock.now >= nextPass {
                    await runPass()
                    // A pass that overran its period starts the next one a full period later, not at once.
                    nextPass = max(nextPass.advanced(by: period), clock.now.advanced(by: period / 10))
                } else {
                    refreshProgress()
                }
            }
        }
    }

    /// One pass, as `run` makes every period; returns what it recorded on the plan board.
    @discardableResult
    public func runPass() async -> PlanBoard.Pass {
        let started = clock.now
        let now = self.now()
        let previous = plans.lastPass
        let number = (previous?.number ?? 0) + 1
        var pass = PlanBoard.Pass(at: now, number: number, plan: nil, sequence: nil, envelopes: [], failure: nil, durationS: 0)
        var posted: [EnvelopeBoard.Posted] = []
        do throws(PlanningError) {
            let (goals, highWater) = try await readStore()
            let snapshot = fleetState.snapshot(at: now)
            let lastSequence = max(highWater, plans.highestSequence)
            let (settings, validityS) = (self.settings, signer.validityS)
            let planned = try await Self.offPool { () throws(PlanningError) in
                try PlanningPass.run(
                    snapshot: snapshot, goals: goals, now: now, lastSequence: lastSequence, settings: settings, validityS: validityS)
            }
            pass.plan = planned.plan
            if let sequence = planned.sequence {
                do {
                    try await self.goals.setEnvelopeSequence(sequence)
                } catch {
                    throw .sequenceNotPersisted("envelope sequence \(sequence) not recorded in the goal store (\(error.label): \(error.message)); nothing posted")
                }
                pass.sequence = sequence
            }
            let signer = self.signer
            let signed = try await Self.offPool { () throws(PlanningError) in planned.signed(by: signer, now: now) }
            posted = signed.posted
            pass.refused = signed.refused
            if posted.isEmpty, let first = signed.refused.first {
                throw .signing("no envelope could be signed; \(first.agentID): \(first.error.message)")
            }
        } catch {
            pass.failure = error
            posted = []
        }
        envelopes.replace(with: posted)
        pass.envelopes = posted.map(PlanBoard.Envelope.init)
        pass.durationS = Self.seconds(started.duration(to: clock.now))
        plans.record(pass)
        metrics.pass(
            durationS: pass.durationS, failure: pass.failure, signed: posted.count, refused: pass.refused.count, sequence: pass.sequence)
        refreshProgress()
        log(pass, previous: previous)
        return pass
    }

    /// Sets the planned-against-achieved gauges from the last plan and the fleet board now.
    public func refreshProgress() {
        metrics.update(plans.lastPass?.plan.map { PlanProgress(plan: $0, entries: fleetState.entries(), now: now()) })
    }

    private func readStore() async throws(PlanningError) -> ([NeighborhoodGoal], Int) {
        do {
            let goals = try await self.goals.goals().map(\.goal)
            return (goals, try await self.goals.envelopeSequence())
        } catch {
            throw .goalsUnavailable("goals not readable (\(error.label): \(error.message)); no envelopes until they are, every agent on its own policy")
        }
    }

    /// Logged when a failure starts or changes and when passes post again, not at every pass of a long outage.
    private func log(_ pass: PlanBoard.Pass, previous: PlanBoard.Pass?) {
        var metadata: Logger.Metadata = [
            "planner.pass": "\(pass.number)", "planner.envelopes": "\(pass.envelopes.count)",
            "planner.duration_ms": "\(Int(pass.durationS * 1000))",
        ]
        if let sequence = pass.sequence { metadata["planner.sequence"] = "\(sequence)" }
        for refusal in pass.refused {
            logger.info("envelope not signed", metadata: [
                "agent.id": "\(refusal.agentID)", "planner.error": "\(refusal.error.label)", "planner.reason": "\(refusal.error.message)",
            ])
        }
        if let failure = pass.failure {
            guard previous?.failure?.label != failure.label else { return }
            metadata["planner.error"] = "\(failure.label)"
            metadata["planner.reason"] = "\(failure.message)"
            logger.info("planning pass posted no envelopes", metadata: metadata)
        } else if previous?.failure != nil {
            logger.info("planning passes post envelopes again", metadata: metadata)
        } else {
            logger.debug("planning pass", metadata: metadata)
        }
    }

    /// The planner's own serial queue: CPU work off the cooperative pool, one pass at a time.
    private static var queue: DispatchQueue { plannerQueue }

    private static func offPool<T: Sendable>(_ work: @escaping @Sendable () throws(PlanningError) -> T) async throws(PlanningError) -> T {
        let result: Result<T, PlanningError> = await withCheckedContinuation { continuation in
            queue.async {
                do throws(PlanningError) { continuation.resume(returning: .success(try work())) } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
        }
        return try result.get()
    }

    private static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}

private let plannerQueue = DispatchQueue(label: "v2g-aggregator.planner")
