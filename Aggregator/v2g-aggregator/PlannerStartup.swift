import AggregatorKit
import AggregatorServer
import ArgumentParser
import FoundationEssentials
import GridCore
import Logging

/// The planning service as `serve` starts it: only with a `planner` section that is enabled, after its root and
/// envelope keys passed the same check as `check-config`.
enum PlannerStartup {
    static func service(
        config: AggregatorConfig, goals: (any GoalStore)?, fleetState: FleetStateBoard, envelopes: EnvelopeBoard, plans: PlanBoard,
        metrics: AggregatorMetrics, now: @escaping @Sendable () -> Timestamp, logger: Logger
    ) throws -> PlannerService<ContinuousClock>? {
        guard let planner = config.planner, planner.enabled else { return nil }
        guard let goals else {
            throw ValidationError(
                "planner: this build has no goal store to read goals and record the envelope sequence in; remove the planner section (or set \"enabled\": false)")
        }
        let signer: EnvelopeSigner
        do { signer = try planner.envelopeSigner(trustRootFile: config.trust.rootFile, now: now()) } catch {
            throw ValidationError(error.message)
        }
        return PlannerService(
            fleetState: fleetState, goals: goals, envelopes: envelopes, plans: plans, signer: signer, settings: planner.plannerSettings,
            period: .milliseconds(Int64((planner.periodS * 1000).rounded())), clock: ContinuousClock(), now: now,
            metrics: metrics.planner, logger: logger)
    }
}
