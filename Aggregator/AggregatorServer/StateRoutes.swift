public import AggregatorKit
import FoundationEssentials
public import GridCore
public import Hummingbird
import Logging
import MeshPlanner
import NIOCore
import StrictJSON

/// The live state of the fleet (docs/aggregator.md, "Live state"): agents post their state report about every 2 s and
/// get their newest envelope in the answer; operators read the board.
public struct StateRoutes: Sendable {
    let neighborhood: NeighborhoodState
    let metrics: AggregatorMetrics
    /// The aggregator's clock: when a report was received, whether an envelope is still valid, ages.
    let now: @Sendable () -> Timestamp

    public init(neighborhood: NeighborhoodState, metrics: AggregatorMetrics, now: @escaping @Sendable () -> Timestamp = NeighborhoodState.wallClock) {
        self.neighborhood = neighborhood
        self.metrics = metrics
        self.now = now
    }


    public func add(to router: Router<AgentRequestContext>) {
        router.post("/v1/agents/:id/state") { request, context in try await self.postState(request, context) }
        router.get("/v1/fleet/state") { _, context in await self.getFleetState(context) }
        let fleet = neighborhood.fleet
        metrics.refreshBeforeRender { [metrics, now] in metrics.stateOldestAge(seconds: fleet.oldestReportAgeS(at: now()) ?? 0) }
    }

    /// Strict decode, the planner's conversion, the board; then the agent's envelope (200) or none (204).
    private func postState(_ request: Request, _ context: AgentRequestContext) async throws -> Response {
        let pathID = try context.parameters.require("id")
        let agentID: String
        switch await context.peer() {
        case .agent(let id)?: agentID = id
        case .operator?: return refuse(403, "role.agent_only", "this route is for agents; an operator certificate cannot use it")
        case nil: return refuse(403, "tls.no_identity", nil)
        }
        // Refused before reading the body: the path names another agent.
        guard agentID == pathID else { return refuse(403, "agent.mismatch", "a certificate reports only for its own agent id") }
        let limit = StateReportDocument.maxBytes
        let tooLarge = "a state report is at most \(limit) bytes"
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit { return refuse(413, "body.too_large", tooLarge) }
        let buffer: ByteBuffer
        do { buffer = try await request.body.collect(upTo: limit) } catch is NIOTooManyBytesError {
            return refuse(413, "body.too_large", tooLarge)
        }
        let document: StateReportDocument
        do {
            document = try StrictJSON.decodeExactly(StateReportDocument.self, from: Array(buffer.readableBytesView))
        } catch {
            return refuse(400, "state.invalid", error.description, context: context, agentID: agentID)
        }
        guard document.agentID == agentID else {
            return refuse(403, "agent.mismatch", "agent_id \"\(document.agentID)\" is not the certificate's \"\(agentID)\"")
        }
        let report: TransformerReport
        do { report = try document.transformerReport() } catch {
            return refuse(422, error.label, error.description, context: context, agentID: agentID)
        }
        let receivedAt = now()
        let entry = FleetStateBoard.Entry(
            report: report, sequence: document.sequence, receivedAt: receivedAt, mode: document.mode,
            envelopeSequence: document.envelopeSequence)
        metrics.stateAgeOnArrival(seconds: receivedAt - document.at)
        switch neighborhood.fleet.record(entry) {
        case .accepted: metrics.stateAccepted()
        // Not an error for the agent: a newer report already stands; the envelope is still its due.
        case .superseded: metrics.stateRefused("state.superseded")
        }
        guard let envelope = neighborhood.envelopes.current(for: agentID, at: receivedAt) else { return Response(status: .noContent) }
        return AggregatorRoutes.reply(200, "application/json", envelope.bytes)
    }

    private func getFleetState(_ context: AgentRequestContext) async -> Response {
        guard await context.peer()?.operatorName != nil else {
            return AggregatorRoutes.json(403, ErrorResponse(error: "role.operator_only", message: "this route needs an operator certificate (v2g-pki issue-operator)"))
        }
        return AggregatorRoutes.json(200, FleetStateResponse(neighborhood.fleet.entries(), now: now()))
    }

    private func refuse(
        _ status: Int, _ reason: String, _ message: String?, context: AgentRequestContext? = nil, agentID: String? = nil
    ) -> Response {
        metrics.stateRefused(reason)
        if let context, let agentID, let message {
            context.logger.info("state report refused", metadata: ["agent.id": "\(agentID)", "state.reason": "\(reason)", "state.message": "\(message)"])
        }
        return AggregatorRoutes.json(status, ErrorResponse(error: reason, message: message))
    }
}
