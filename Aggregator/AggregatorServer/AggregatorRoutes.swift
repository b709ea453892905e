public import AggregatorKit
import FoundationEssentials
public import Hummingbird
import Logging
import NIOCore

/// The HTTP API (docs/aggregator.md): telemetry upload and export, fleet view, health and metrics.
///
/// Every body is a Codable response type from AggregatorKit, encoded by `ResponseJSON`. Handlers never touch
/// SQLite themselves: the store runs its statements on its own threads and the handler's task awaits them.
public struct AggregatorRoutes: Sendable {
    let pipeline: IngestPipeline
    let metrics: AggregatorMetrics
    /// Largest request body on the wire.
    let maxBodyBytes: Int

    public init(pipeline: IngestPipeline, metrics: AggregatorMetrics, maxBodyBytes: Int) {
        (self.pipeline, self.metrics, self.maxBodyBytes) = (pipeline, metrics, maxBodyBytes)
    }

    var store: any TelemetryStore { pipeline.store }

    /// Registers every route on `router`.
    public func add(to router: Router<AgentRequestContext>) {
        router.post("/v1/agents/:id/telemetry") { request, context in try await self.postTelemetry(request, context) }
        router.get("/v1/agents/:id/telemetry") { request, context in try await self.getTelemetry(request, context) }
        router.get("/v1/fleet") { _, _ in await self.getFleet() }
        router.get("/healthz") { _, _ in Self.reply(200, "text/plain", Array("ok\n".utf8)) }
        router.get("/metrics") { _, _ in Self.reply(200, "text/plain; version=0.0.4", self.metrics.render()) }
    }

    private func postTelemetry(_ request: Request, _ context: AgentRequestContext) async throws -> Response {
        let start = ContinuousClock.now
        let pathID = try context.parameters.require("id")
        let certificateID: String
        switch await context.peer() {
        case .agent(let id)?: certificateID = id
        case .operator?: return refuse(403, "role.agent_only")
        case nil: return refuse(403, "tls.no_identity")
        }
        // Refused before reading the body: the path names another agent (docs/provisioning.md, rule 3).
        guard certificateID == pathID else { return refuse(403, "agent.mismatch") }
        if let length = request.headers[.contentLength].flatMap(Int.init), length > maxBodyBytes {
            return refuse(413, "body.too_large")
        }
        let buffer: ByteBuffer
        do { buffer = try await request.body.collect(upTo: maxBodyBytes) } catch is NIOTooManyBytesError {
            return refuse(413, "body.too_large")
        }
        let body = Array(buffer.readableBytesView)
        metrics.received(bytes: body.count)
        let decision = await pipeline.ingest(
            certificateAgentID: certificateID, pathAgentID: pathID, body: body, receivedAtMs: Self.nowMs())
        metrics.record(decision, frameBytes: body.count, latency: ContinuousClock.now - start)
        guard let ack = decision.ack else {
            context.logger.info(
                "telemetry refused",
                metadata: ["agent.id": "\(certificateID)", "ingest.reason": "\(decision.label)", "ingest.message": "\(decision.message)"])
            var response = Self.json(decision.status, ErrorResponse(error: decision.label, message: decision.message))
            if let seconds = decision.retryAfterSeconds { response.headers[.retryAfter] = String(seconds) }
            return response
        }
        return Self.json(200, AckResponse(ack))
    }

    private func getTelemetry(_ request: Request, _ context: AgentRequestContext) async throws -> Response {
        let pathID = try context.parameters.require("id")
        // An agent reads only its own data; operators have routes of their own (docs/rollout.md).
        switch await context.peer() {
        case .agent(let id)? where id == pathID: break
        case .operator?: return refuse(403, "role.agent_only", count: false)
        default: return refuse(403, "agent.mismatch", count: false)
        }
        let query = request.uri.queryParameters
        let fromMs = query.get("from", as: Int64.self) ?? 0
        let toMs = query.get("to", as: Int64.self) ?? .max
        let channels = query.get("channels").map { $0.split(separator: ",").map(String.init) } ?? []
        guard let format = TelemetryExportFormat(rawValue: query.get("format") ?? "json") else {
            return Self.json(400, ErrorResponse(error: "query.format", message: "format is json or csv"))
        }
        guard fromMs <= toMs else { return Self.json(400, ErrorResponse(error: "query.range", message: "from is after to")) }
        let series: SampleSeries
        do {
            series = try await store.samples(SampleQuery(agentID: pathID, fromMs: fromMs, toMs: toMs, channels: channels))
        } catch {
            return Self.json(error.isInvalidQuery ? 400 : 503, ErrorResponse(error: error.label, message: error.message))
        }
        switch format {
        case .json: return Self.json(200, SeriesResponse(series))
        case .csv: return Self.reply(200, "text/csv", Array(series.csvText().utf8))
        }
    }

    private func getFleet() async -> Response {
        do {
            return Self.json(200, FleetResponse(try await store.fleet()))
        } catch {
            return Self.json(503, ErrorResponse(error: error.label, message: error.message))
        }
    }

    private func refuse(_ status: Int, _ reason: String, count: Bool = true) -> Response {
        if count { metrics.reject(reason) }
        return Self.json(status, ErrorResponse(error: reason))
    }

    static func json(_ status: Int, _ body: some Encodable) -> Response {
        reply(status, "application/json", ResponseJSON.encode(body))
    }

    static func reply(_ status: Int, _ contentType: String, _ bytes: [UInt8]) -> Response {
        Response(
            status: .init(code: status), headers: [.contentType: contentType],
            body: .init(byteBuffer: ByteBuffer(bytes: bytes))
        )
    }

    static func nowMs() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
    }
}
