import AggregatorKit
import DashboardAssets
import HTTPTypes
public import Hummingbird
import NIOCore
import ServiceLifecycle

/// The operator dashboard (docs/dashboard.md): the page and its script and style, embedded in the binary, and the
/// live frames as server-sent events. Operators only: an agent's certificate gets 403, like every operator route.
public struct DashboardRoutes: Sendable {
    let feed: DashboardFeed
    /// How long one event stream stays open. The connection guard closes a connection that sent nothing for
    /// `limits.request_timeout_s`, and a stream's client sends nothing after its request: the stream ends before
    /// that, cleanly, and the browser's EventSource reconnects after the `retry` the stream announced.
    let streamLifetime: Duration

    public init(feed: DashboardFeed, streamLifetime: Duration = .seconds(20)) {
        self.feed = feed
        self.streamLifetime = streamLifetime
    }

    /// The stream lifetime for a connection guard that closes silent connections after `requestTimeoutS`.
    public static func streamLifetime(requestTimeoutS: Int) -> Duration {
        .milliseconds(max(1_000, requestTimeoutS * 750))
    }

    /// What the browser waits before reconnecting a stream that ended.
    static let retryMs = 1_000

    public func add(to router: Router<AgentRequestContext>) {
        router.get("/dashboard") { _, context in
            await Self.operatorOnly(context) ?? Self.asset(DashboardAssets.page, "text/html; charset=utf-8")
        }
        router.get("/dashboard/app.js") { _, context in
            await Self.operatorOnly(context) ?? Self.asset(DashboardAssets.script, "text/javascript; charset=utf-8")
        }
        router.get("/dashboard/app.css") { _, context in
            await Self.operatorOnly(context) ?? Self.asset(DashboardAssets.style, "text/css; charset=utf-8")
        }
        router.get("/v1/dashboard/frame") { _, context in
            if let refusal = await Self.operatorOnly(context) { return refusal }
            guard let frame = feed.latest else {
                return AggregatorRoutes.json(503, ErrorResponse(error: "dashboard.no_frame", message: "the first frame is not built yet"))
            }
            return AggregatorRoutes.json(200, frame)
        }
        router.get("/v1/events") { _, context in
            if let refusal = await Self.operatorOnly(context) { return refusal }
            return events()
        }
    }

    /// 403 unless the caller presents an operator certificate.
    static func operatorOnly(_ context: AgentRequestContext) async -> Response? {
        guard await context.peer()?.operatorName == nil else { return nil }
        return AggregatorRoutes.json(
            403, ErrorResponse(error: "role.operator_only", message: "the dashboard needs an operator certificate (v2g-pki issue-operator)"))
    }

    static func asset(_ bytes: [UInt8], _ contentType: String) -> Response {
        var response = AggregatorRoutes.reply(200, contentType, bytes)
        response.headers[.cacheControl] = "no-cache"
        response.headers[.xContentTypeOptions] = "nosniff"
        // Everything comes from this server: no inline script, nothing fetched from elsewhere.
        response.headers[.contentSecurityPolicy] = "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'"
        return response
    }

    /// The event stream: `retry`, then `history` (the chart points held), then a `frame` every period, until the
    /// client goes, the lifetime ends, the feed stops or the server shuts down gracefully.
    func events() -> Response {
        guard let subscription = feed.subscribe() else {
            var busy = AggregatorRoutes.json(
                503, ErrorResponse(error: "dashboard.busy", message: "\(feed.maxStreams) dashboard streams are open already"))
            busy.headers[.retryAfter] = "5"
            return busy
        }
        let lifetime = streamLifetime
        return Response(
            status: .ok,
            headers: [.contentType: "text/event-stream", .cacheControl: "no-store", .xContentTypeOptions: "nosniff"],
            body: ResponseBody { writer in
                defer { subscription.close() }
                var open = true
                do { try await writer.write(ByteBuffer(string: "retry: \(Self.retryMs)\n\n")) } catch { return }
                await withGracefulShutdownHandler {
                    await withTaskGroup(of: Void.self) { group in
                        group.addTask {
                            try? await Task.sleep(for: lifetime)
                            subscription.close()
                        }
                        for await event in subscription.events {
                            do { try await writer.write(ByteBuffer(bytes: event.bytes)) } catch {
                                open = false  // the client went away
                                break
                            }
                        }
                        group.cancelAll()
                    }
                } onGracefulShutdown: {
                    subscription.close()
                }
                if open { try await writer.finish(nil) }
            })
    }
}
