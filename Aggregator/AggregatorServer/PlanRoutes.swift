public import AggregatorKit
import FoundationEssentials
public import GridCore
public import Hummingbird

/// `GET /v1/plan` (operators only): the planner's last pass, its plan, planned against achieved now (from the fleet
/// board's newest state reports) and the envelope it posted per agent (docs/aggregator.md, "Planning").
public struct PlanRoutes: Sendable {
    let plans: PlanBoard
    let fleetState: FleetStateBoard
    let envelopes: EnvelopeBoard
    let now: @Sendable () -> Timestamp

    /// The boards are the ones the planning service and the state route share; `now` is the clock (nil: the wall clock;
    /// injected for tests).
    public init(plans: PlanBoard, fleetState: FleetStateBoard, envelopes: EnvelopeBoard, now: (@Sendable () -> Timestamp)? = nil) {
        self.plans = plans
        self.fleetState = fleetState
        self.envelopes = envelopes
        self.now = now ?? NeighborhoodState.wallClock
    }

    public func add(to router: Router<AgentRequestContext>) {
        router.get("/v1/plan") { _, context in await self.getPlan(context) }
    }

    private func getPlan(_ context: AgentRequestContext) async -> Response {
        guard await context.peer()?.operatorName != nil else {
            return AggregatorRoutes.json(403, ErrorResponse(error: "role.operator_only", message: "this route needs an operator certificate (v2g-pki issue-operator)"))
        }
        guard let pass = plans.lastPass else {
            return AggregatorRoutes.json(404, ErrorResponse(error: "plan.none", message: "no planning pass yet: the first runs one planner.period_s after the start"))
        }
        let now = self.now()
        // This pass's envelopes still up and within their valid_until.
        let fromPass = Set(pass.envelopes.map { "\($0.agentID)#\($0.sequence)" })
        let inForce = Set(envelopes.all(at: now).filter { fromPass.contains("\($0.agentID)#\($0.sequence)") }.map(\.agentID))
        let status = PlanStatus(pass: pass, entries: fleetState.entries(), inForce: inForce, now: now)
        return AggregatorRoutes.reply(200, "application/json", status.json())
    }
}
