public import AggregatorKit
import FoundationEssentials
public import Hummingbird
import Logging
import NIOCore
import PolicyTrust

/// Signed policy over the API (docs/rollout.md): agents fetch their bundle and report on it, anyone reads the
/// roots, operators publish roots, start and steer rollouts and read the audit log. The caller is the identity of
/// its certificate: an agent's routes answer 403 to an operator and to another agent, an operator's 403 to agents.
public struct PolicyRoutes: Sendable {
    let coordinator: RolloutCoordinator
    /// Every agent the telemetry store knows (a rollout to `*` goes to these and to agents that asked for a bundle).
    let fleet: @Sendable () async -> [String]
    let metrics: AggregatorMetrics

    public init(coordinator: RolloutCoordinator, fleet: @escaping @Sendable () async -> [String], metrics: AggregatorMetrics) {
        self.coordinator = coordinator
        self.fleet = fleet
        self.metrics = metrics
    }

    public func add(to router: Router<AgentRequestContext>) {
        router.get("/v1/agents/:id/bundle") { request, context in try await self.getBundle(request, context) }
        router.post("/v1/agents/:id/policy-report") { request, context in try await self.postReport(request, context) }
        router.get("/v1/roots") { _, _ in
            AggregatorRoutes.json(200, RootsResponse(versions: self.coordinator.rootVersions, trusted: self.coordinator.trustRoot?.version))
        }
        router.get("/v1/roots/:version") { _, context in try self.getRoot(context) }
        // POST adds the next version to the collection; PUT is accepted too.
        router.post("/v1/roots") { request, context in try await self.putRoot(request, context) }
        router.put("/v1/roots") { request, context in try await self.putRoot(request, context) }
        router.post("/v1/rollouts") { request, context in try await self.postRollout(request, context) }
        router.get("/v1/rollouts") { _, context in
            guard await context.peer()?.operatorName != nil else { return self.operatorsOnly() }
            return AggregatorRoutes.json(200, RolloutListResponse(self.coordinator.rollouts))
        }
        router.get("/v1/rollouts/:id") { _, context in try await self.getRollout(context) }
        for command in RolloutCoordinator.Command.allCases {
            router.post("/v1/rollouts/:id/\(command.rawValue)") { _, context in try await self.command(command, context) }
        }
        router.get("/v1/audit") { request, context in try await self.getAudit(request, context) }
    }

    // MARK: Agents

    /// The agent whose id is in the path, if the caller is that agent; otherwise the 403 to send.
    private enum Caller {
        case success(String)
        case failure(Response)
    }

    private func sameAgent(_ context: AgentRequestContext) async throws -> Caller {
        let pathID = try context.parameters.require("id")
        switch await context.peer() {
        case .agent(let id)? where id == pathID: return .success(id)
        case .agent?: return .failure(refuse(403, "agent.mismatch", "a certificate reads and reports only for its own agent id"))
        case .operator?: return .failure(refuse(403, "role.agent_only", "this route is for agents; an operator certificate cannot use it"))
        case nil: return .failure(refuse(403, "tls.no_identity"))
        }
    }

    private func getBundle(_ request: Request, _ context: AgentRequestContext) async throws -> Response {
        let agentID: String
        switch try await sameAgent(context) {
        case .failure(let response): return response
        case .success(let id): agentID = id
        }
        let answer = await coordinator.bundle(for: agentID, ifNoneMatch: request.headers[.ifNoneMatch])
        switch answer {
        case .bundle: metrics.bundleAnswer(status: 200)
        case .notModified: metrics.bundleAnswer(status: 304)
        case .none: metrics.bundleAnswer(status: 404)
        }
        switch answer {
        case .bundle(let version, let bytes):
            var response = AggregatorRoutes.reply(200, "application/json", bytes)
            response.headers[.eTag] = "\"\(version)\""
            response.headers[.cacheControl] = "no-cache"
            return response
        case .notModified(let version):
            return Response(status: .notModified, headers: [.eTag: "\"\(version)\"", .cacheControl: "no-cache"])
        case .none:
            return AggregatorRoutes.json(404, ErrorResponse(error: "bundle.none", message: "no rollout has reached agent \(agentID) yet"))
        }
    }

    private func postReport(_ request: Request, _ context: AgentRequestContext) async throws -> Response {
        let agentID: String
        switch try await sameAgent(context) {
        case .failure(let response): return response
        case .success(let id): agentID = id
        }
        guard let body = try await Self.body(request, max: PolicyReport.maxBytes) else {
            return refuse(413, "body.too_large", "a report is at most \(PolicyReport.maxBytes) bytes")
        }
        switch await coordinator.report(body, from: agentID) {
        case .failure(let refusal):
            context.logger.info("policy report refused", metadata: ["agent.id": "\(agentID)", "refusal": "\(refusal)"])
            return refuse(refusal)
        case .success(let rollout):
            let status = rollout.agents.first { $0.agentID == agentID }?.status
            metrics.policy(status?.word ?? "recorded")
            return AggregatorRoutes.json(200, PolicyAckResponse(result: "recorded", version: rollout.version, rollout: rollout.id, status: status?.description))
        }
    }

    // MARK: Roots

    private func getRoot(_ context: AgentRequestContext) throws -> Response {
        let text = try context.parameters.require("version")
        guard let version = Int(text), let envelope = coordinator.rootEnvelope(version: version) else {
            return AggregatorRoutes.json(404, ErrorResponse(error: "root.none", message: "no root version \(text)"))
        }
        return AggregatorRoutes.reply(200, "application/json", envelope)
    }

    private func putRoot(_ request: Request, _ context: AgentRequestContext) async throws -> Response {
        guard let operatorName = await context.peer()?.operatorName else { return operatorsOnly() }
        guard let body = try await Self.body(request, max: 256 * 1024) else { return refuse(413, "body.too_large", "a root is at most 256 KiB") }
        switch await coordinator.publishRoot(body, by: operatorName) {
        case .failure(let refusal): return refuse(refusal)
        case .success(.added(let version)): return AggregatorRoutes.json(201, PolicyAckResponse(result: "added", version: version))
        case .success(.alreadyKnown(let version)): return AggregatorRoutes.json(200, PolicyAckResponse(result: "already_known", version: version))
        }
    }

    // MARK: Rollouts

    private func postRollout(_ request: Request, _ context: AgentRequestContext) async throws -> Response {
        guard let operatorName = await context.peer()?.operatorName else { return operatorsOnly() }
        guard let body = try await Self.body(request, max: RolloutRequest.maxBytes) else {
            return refuse(413, "body.too_large", "a rollout request is at most \(RolloutRequest.maxBytes) bytes")
        }
        let parsed: RolloutRequest
        do { parsed = try RolloutRequest(parsing: body) } catch {
            return refuse(PolicyRefusal(400, "request.invalid", "\(error)"))
        }
        switch await coordinator.start(parsed, by: operatorName, fleet: await fleet()) {
        case .failure(let refusal):
            context.logger.info("rollout refused", metadata: ["operator": "\(operatorName)", "refusal": "\(refusal)"])
            return refuse(refusal)
        case .success(let rollout):
            return AggregatorRoutes.json(201, RolloutResponse(rollout))
        }
    }

    private func getRollout(_ context: AgentRequestContext) async throws -> Response {
        guard await context.peer()?.operatorName != nil else { return operatorsOnly() }
        let text = try context.parameters.require("id")
        guard let id = Int64(text), let rollout = coordinator.rollout(id: id) else {
            return refuse(PolicyRefusal(404, "rollout.not_found", "there is no rollout \(text)"))
        }
        return AggregatorRoutes.json(200, RolloutResponse(rollout))
    }

    private func command(_ command: RolloutCoordinator.Command, _ context: AgentRequestContext) async throws -> Response {
        guard let operatorName = await context.peer()?.operatorName else { return operatorsOnly() }
        let text = try context.parameters.require("id")
        guard let id = Int64(text) else { return refuse(PolicyRefusal(404, "rollout.not_found", "there is no rollout \(text)")) }
        switch await coordinator.command(command, rollout: id, by: operatorName) {
        case .failure(let refusal): return refuse(refusal)
        case .success(let rollout): return AggregatorRoutes.json(200, RolloutResponse(rollout))
        }
    }

    private func getAudit(_ request: Request, _ context: AgentRequestContext) async throws -> Response {
        guard await context.peer()?.operatorName != nil else { return operatorsOnly() }
        let query = request.uri.queryParameters
        let limit = min(max(query.get("limit", as: Int.self) ?? 100, 1), 10_000)
        do {
            return AggregatorRoutes.json(200, AuditResponse(try await coordinator.audit(limit: limit, beforeID: query.get("before", as: Int64.self))))
        } catch {
            return refuse(PolicyRefusal(503, error.label, error.message))
        }
    }

    // MARK: Helpers

    private func operatorsOnly() -> Response {
        refuse(403, "role.operator_only", "this route needs an operator certificate (v2g-pki issue-operator)")
    }

    private func refuse(_ refusal: PolicyRefusal) -> Response {
        refuse(refusal.status, refusal.label, refusal.message)
    }

    private func refuse(_ status: Int, _ label: String, _ message: String? = nil) -> Response {
        metrics.policy(label)
        return AggregatorRoutes.json(status, ErrorResponse(error: label, message: message))
    }

    /// The body, or nil when it is over `max` bytes.
    static func body(_ request: Request, max: Int) async throws -> [UInt8]? {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > max { return nil }
        do { return Array(try await request.body.collect(upTo: max).readableBytesView) } catch is NIOTooManyBytesError {
            return nil
        }
    }
}
