public import AggregatorKit
import FoundationEssentials
public import GridCore
public import Hummingbird
import Logging
import MeshPlanner
import StrictJSON

/// The operators' neighborhood goals over the API (docs/neighborhood.md, "Goals over the API"): set one, list them
/// with what is in force now, read one, clear one. Operator certificates only; every attempt by an operator, done or
/// refused, goes to the audit log when one is wired.
public struct GoalRoutes: Sendable {
    let store: any GoalStore
    /// Appends to the audit log (the rollout coordinator's, which retries); nil without a policy store.
    let audit: (@Sendable (AuditEntry) async -> Void)?
    let clock: @Sendable () -> Timestamp

    /// A schedule of the most steps a goal may have (10,000) is about 600 KB of JSON.
    public static let maxBodyBytes = 1 << 20

    public init(
        store: any GoalStore, audit: (@Sendable (AuditEntry) async -> Void)?,
        clock: @escaping @Sendable () -> Timestamp = NeighborhoodState.wallClock
    ) {
        self.store = store
        self.audit = audit
        self.clock = clock
    }


    public func add(to router: Router<AgentRequestContext>) {
        router.post("/v1/goals") { request, context in try await self.setGoal(request, context) }
        router.get("/v1/goals") { _, context in try await self.listGoals(context) }
        router.get("/v1/goals/:id") { _, context in try await self.getGoal(context) }
        router.delete("/v1/goals/:id") { _, context in try await self.clearGoal(context) }
    }

    /// Why a request was refused: status, label, message and the field at fault.
    private struct Refusal: Error {
        let status: Int
        let label: String
        let message: String
        var field: String? = nil

        var response: Response { AggregatorRoutes.json(status, ErrorResponse(error: label, message: message, field: field)) }
        var outcome: String { "refused \(status) \(label)" }

        static let operatorsOnly = Refusal(
            status: 403, label: "role.operator_only", message: "this route needs an operator certificate (v2g-pki issue-operator)")

        init(status: Int, label: String, message: String, field: String? = nil) {
            (self.status, self.label, self.message, self.field) = (status, label, message, field)
        }

        init(_ error: GoalStoreError) {
            switch error.kind {
            case .conflict: self.init(status: 409, label: "goal.exists", message: error.message, field: "id")
            case .unavailable: self.init(status: 503, label: error.label, message: error.message)
            case .corrupt: self.init(status: 500, label: error.label, message: error.message)
            }
        }
    }

    // MARK: Set

    private func setGoal(_ request: Request, _ context: AgentRequestContext) async throws -> Response {
        guard let operatorName = await context.peer()?.operatorName else { return Refusal.operatorsOnly.response }
        let now = clock()
        return try await change(by: operatorName, "goals.set", target: "a goal", at: now) { target in
            guard let body = try await PolicyRoutes.body(request, max: Self.maxBodyBytes) else {
                throw Refusal(status: 413, label: "body.too_large", message: "a goal is at most \(Self.maxBodyBytes) bytes")
            }
            let posted: NeighborhoodGoal
            do throws(StrictJSONError) { posted = try StrictJSON.decodeExactly(NeighborhoodGoal.self, from: body) } catch {
                throw Refusal(status: 400, label: "goal.invalid", message: error.description, field: error.field.isEmpty ? nil : error.field)
            }
            target = "goal \(posted.id)"
            guard GoalRow.fitsInPath(posted.id) else {
                throw Refusal(status: 400, label: "goal.invalid", message: "id \(posted.id): \(GoalRow.idRule), so that /v1/goals/{id} names it", field: "id")
            }
            let goal = GoalRow.canonical(posted)
            guard goal.end > now else {
                throw Refusal(
                    status: 400, label: "goal.ended", message: "end \(goal.end.rfc3339) is already past (now \(now.rfc3339)): nothing to do",
                    field: "end")
            }
            let others = try await store.goals().map(\.goal)
            let stored = StoredGoal(goal: goal, setBy: operatorName, setAtMs: GoalRow.milliseconds(now))
            try await store.insert(stored)
            let conflicts = GoalConflictScan.conflicts(of: goal, among: others, from: now)
            context.logger.info("goal set", metadata: ["goal.id": "\(goal.id)", "operator": "\(operatorName)", "goal": "\(goal.summary)"])
            return (goal.summary + Self.conflictNote(conflicts.count), AggregatorRoutes.json(201, GoalSetResponse(stored, now: now, conflicts: conflicts)))
        }
    }

    private static func conflictNote(_ count: Int) -> String {
        count == 0 ? "" : "; \(count) conflict\(count == 1 ? "" : "s") over its window"
    }

    // MARK: Read

    private func listGoals(_ context: AgentRequestContext) async throws -> Response {
        guard await context.peer()?.operatorName != nil else { return Refusal.operatorsOnly.response }
        do {
            return AggregatorRoutes.json(200, GoalListResponse(try await store.listing(), now: clock()))
        } catch {
            return Refusal(error).response
        }
    }

    private func getGoal(_ context: AgentRequestContext) async throws -> Response {
        guard await context.peer()?.operatorName != nil else { return Refusal.operatorsOnly.response }
        let id = try context.parameters.require("id")
        do {
            guard let stored = try await store.goal(id: id) else { return Self.notFound(id).response }
            return AggregatorRoutes.json(200, GoalView(stored, now: clock()))
        } catch {
            return Refusal(error).response
        }
    }

    // MARK: Clear

    private func clearGoal(_ context: AgentRequestContext) async throws -> Response {
        guard let operatorName = await context.peer()?.operatorName else { return Refusal.operatorsOnly.response }
        let id = try context.parameters.require("id")
        return try await change(by: operatorName, "goals.clear", target: "goal \(id)", at: clock()) { _ in
            // What it was, for the audit log; a damaged row is cleared all the same.
            let summary = (try? await store.goal(id: id))?.goal.summary ?? "an unreadable row"
            guard try await store.remove(id: id) else { throw Self.notFound(id) }
            context.logger.info("goal cleared", metadata: ["goal.id": "\(id)", "operator": "\(operatorName)"])
            return ("was: \(summary)", AggregatorRoutes.json(200, GoalClearResponse(id: id)))
        }
    }

    /// Runs an operator's change and audits it, done (with the detail `body` returns) or refused; `body` may name
    /// its target once it knows it.
    private func change(
        by operatorName: String, _ action: String, target: String, at now: Timestamp,
        _ body: (inout String) async throws -> (detail: String, response: Response)
    ) async throws -> Response {
        var target = target
        let nowMs = GoalRow.milliseconds(now)
        do {
            let (detail, response) = try await body(&target)
            await record(operatorName, action, target, "ok", detail, at: nowMs)
            return response
        } catch {
            let refusal: Refusal
            switch error {
            case let error as Refusal: refusal = error
            case let error as GoalStoreError: refusal = Refusal(error)
            default: throw error
            }
            await record(operatorName, action, target, refusal.outcome, refusal.message, at: nowMs)
            return refusal.response
        }
    }

    private static func notFound(_ id: String) -> Refusal {
        Refusal(status: 404, label: "goal.not_found", message: "there is no goal \(id)")
    }

    private func record(_ operatorName: String, _ action: String, _ target: String, _ outcome: String, _ detail: String, at nowMs: Int64) async {
        await audit?(AuditEntry(atMs: nowMs, operatorName: operatorName, action: action, target: target, outcome: outcome, detail: detail))
    }
}
