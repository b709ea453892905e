public import Hummingbird
import Logging
import NIOCore

/// The HTTP API (docs/aggregator.md): telemetry upload and export, fleet view, health and metrics.
public struct AggregatorRoutes: Sendable {
    let ingest: any TelemetryIngest
    let fleet: any FleetSource
    let metrics: AggregatorMetrics
    /// Largest request body on the wire.
    let maxBodyBytes: Int

    public init(ingest: any TelemetryIngest, fleet: any FleetSource, metrics: AggregatorMetrics, maxBodyBytes: Int) {
        (self.ingest, self.fleet, self.metrics, self.maxBodyBytes) = (ingest, fleet, metrics, maxBodyBytes)
    }

    /// Registers every route on `router`.
    public func add(to router: Router<AgentRequestContext>) {
        router.post("/v1/agents/:id/telemetry") { request, context in try await self.postTelemetry(request, context) }
        router.get("/v1/agents/:id/telemetry") { request, context in try await self.getTelemetry(request, context) }
        router.get("/v1/fleet") { _, _ in Self.reply(200, "application/json", await self.fleet.fleetJSON()) }
        router.get("/healthz") { _, _ in Self.reply(200, "text/plain", Array("ok\n".utf8)) }
        router.get("/metrics") { _, _ in Self.reply(200, "text/plain; version=0.0.4", self.metrics.render()) }
    }

    private func postTelemetry(_ request: Request, _ context: AgentRequestContext) async throws -> Response {
        let start = ContinuousClock.now
        let pathID = try context.parameters.require("id")
        guard let certificateID = await context.peerAgentID() else { return refuse(403, "tls.no_agent_id") }
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
        let reply = await ingest.ingest(certificateAgentID: certificateID, pathAgentID: pathID, body: body)
        metrics.record(reply, frameBytes: body.count, latency: ContinuousClock.now - start)
        if let reason = reply.reason { context.logger.info("telemetry refused", metadata: ["agent.id": "\(certificateID)", "ingest.reason": "\(reason)"]) }
        return Self.reply(reply.status, "application/json", reply.ackJSON)
    }

    private func getTelemetry(_ request: Request, _ context: AgentRequestContext) async throws -> Response {
        let pathID = try context.parameters.require("id")
        // An agent reads only its own data (design brief §4); an operator role is not defined yet.
        guard let certificateID = await context.peerAgentID(), certificateID == pathID else { return refuse(403, "agent.mismatch", count: false) }
        let query = request.uri.queryParameters
        let fromMs = query.get("from", as: Int64.self) ?? 0
        let toMs = query.get("to", as: Int64.self) ?? .max
        let channels = query.get("channels").map { $0.split(separator: ",").map(String.init) } ?? []
        guard let format = TelemetryExportFormat(rawValue: query.get("format") ?? "json") else {
            return Self.reply(400, "application/json", Array(#"{"error":"query.format"}"#.utf8))
        }
        guard fromMs <= toMs else { return Self.reply(400, "application/json", Array(#"{"error":"query.range"}"#.utf8)) }
        guard let export = await fleet.telemetry(agent: pathID, fromMs: fromMs, toMs: toMs, channels: channels, format: format) else {
            return Self.reply(404, "application/json", Array(#"{"error":"agent.unknown"}"#.utf8))
        }
        return Self.reply(200, export.contentType, export.bytes)
    }

    private func refuse(_ status: Int, _ reason: String, count: Bool = true) -> Response {
        if count { metrics.reject(reason) }
        return Self.reply(status, "application/json", Array(#"{"error":"\#(reason)"}"#.utf8))
    }

    private static func reply(_ status: Int, _ contentType: String, _ bytes: [UInt8]) -> Response {
        Response(
            status: .init(code: status), headers: [.contentType: contentType],
            body: .init(byteBuffer: ByteBuffer(bytes: bytes))
        )
    }
}
