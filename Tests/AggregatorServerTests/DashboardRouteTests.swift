import AggregatorKit
import AggregatorServer
import Foundation
import GridCore
import Testing

/// The dashboard over the real server: mutual TLS with real certificates, curl as the client.
@Suite(.serialized)
struct DashboardRouteTests {
    static var operatorIdentity: (cert: String, key: String) { PKIFixture.shared.operatorIdentity("ops") }

    static func wallClock() -> Timestamp { Timestamp(secondsSinceEpoch: Date().timeIntervalSince1970) }

    static func feed(_ board: FleetStateBoard, maxStreams: Int = 4) -> DashboardFeed {
        DashboardFeed(sources: DashboardSources(fleet: board, envelopes: EnvelopeBoard()), period: .milliseconds(200), maxStreams: maxStreams)
    }

    /// The `frame` events of a stream's body, as JSON objects.
    static func frames(_ body: String) -> [[String: Any]] {
        body.components(separatedBy: "\n\n").compactMap { event in
            let lines = event.split(separator: "\n")
            guard lines.contains("event: frame"), let data = lines.first(where: { $0.hasPrefix("data: ") }) else { return nil }
            return try? JSONSerialization.jsonObject(with: Data(data.dropFirst(6).utf8)) as? [String: Any]
        }
    }

    static func importKW(_ frame: [String: Any]) -> Double? {
        (frame["totals"] as? [String: Any])?["import_kw"] as? Double
    }

    /// Waits (bounded) until `condition` holds.
    static func eventually(_ condition: () -> Bool) async throws {
        for _ in 0..<200 where !condition() { try await Task.sleep(for: .milliseconds(100)) }
    }

    @Test func agentsAreRefusedAndOperatorsGetThePage() async throws {
        let board = FleetStateBoard()
        board.record(DashboardFrameTests.report("tx-1", at: Self.wallClock()))
        let feed = Self.feed(board)
        try await withPolicyTestServer(dashboard: feed) { client, _, _, _ in
            for path in ["/dashboard", "/dashboard/app.js", "/dashboard/app.css", "/v1/events", "/v1/dashboard/frame"] {
                let refused = try await client.request(path, agent: "a1")
                #expect(refused.httpStatus == 403, "\(path) as an agent")
                #expect(refused.text.contains("role.operator_only"))
            }
            let page = try await client.request("/dashboard", identity: Self.operatorIdentity)
            #expect(page.httpStatus == 200)
            #expect(page.headers.lowercased().contains("content-type: text/html"))
            #expect(page.headers.lowercased().contains("content-security-policy: default-src 'self'"))
            #expect(page.text.contains("<script src=\"/dashboard/app.js\""))
            let script = try await client.request("/dashboard/app.js", identity: Self.operatorIdentity)
            #expect(script.httpStatus == 200 && script.headers.lowercased().contains("content-type: text/javascript"))
            #expect(script.text.contains("new EventSource(\"/v1/events\")"))
            let style = try await client.request("/dashboard/app.css", identity: Self.operatorIdentity)
            #expect(style.httpStatus == 200 && style.headers.lowercased().contains("content-type: text/css"))
            try await Self.eventually { feed.latest != nil }
            let frame = try await client.request("/v1/dashboard/frame", identity: Self.operatorIdentity)
            #expect(frame.httpStatus == 200)
            #expect(frame.text.contains("\"id\":\"tx-1\""))
        }
    }

    @Test func theStreamFollowsTheBoardAndEndsCleanlyAtItsLifetime() async throws {
        let board = FleetStateBoard()
        board.record(DashboardFrameTests.report("tx-1", kw: (1, 1, 1), at: Self.wallClock()))
        let feed = Self.feed(board)
        // request_timeout_s 8: each stream lasts 6 s, then ends and the browser reconnects.
        try await withPolicyTestServer(limits: .init(maxBodyBytes: 4_096, requestTimeoutS: 8), dashboard: feed) { client, _, _, _ in
            async let stream = client.request("/v1/events", identity: Self.operatorIdentity, maxTimeS: 40)
            try await Self.eventually { feed.openStreams == 1 }
            try await Task.sleep(for: .milliseconds(800))
            board.record(DashboardFrameTests.report("tx-1", kw: (5, 5, 5), at: Self.wallClock()))
            let result = try await stream
            #expect(result.exitStatus == 0, "curl saw the stream end cleanly (exit \(result.exitStatus))")
            #expect(result.httpStatus == 200)
            #expect(result.headers.lowercased().contains("content-type: text/event-stream"))
            #expect(result.text.hasPrefix("retry: 1000\n\nevent: history\ndata: ["))
            let imports = Self.frames(result.text).compactMap(Self.importKW)
            #expect(imports.count >= 2)
            #expect(imports.first == 3)
            #expect(imports.last == 15)
            #expect(feed.openStreams == 0)
        }
    }

    @Test func aClientThatLeavesFreesItsStream() async throws {
        let feed = Self.feed(FleetStateBoard())
        try await withPolicyTestServer(dashboard: feed) { client, _, _, _ in
            // The stream would last 22.5 s; curl hangs up after 5.
            let cut = try await client.request("/v1/events", identity: Self.operatorIdentity, maxTimeS: 5)
            #expect(cut.exitStatus == 28 && cut.httpStatus == 200)
            #expect(Self.frames(cut.text).count >= 2)
            // The next frame's write fails, and the stream gives its slot back.
            try await Self.eventually { feed.openStreams == 0 }
            #expect(feed.openStreams == 0)
        }
    }

    @Test func streamsAreBounded() async throws {
        let feed = Self.feed(FleetStateBoard(), maxStreams: 1)
        try await withPolicyTestServer(limits: .init(maxBodyBytes: 4_096, requestTimeoutS: 6), dashboard: feed) { client, _, _, _ in
            async let first = client.request("/v1/events", identity: Self.operatorIdentity, maxTimeS: 40)
            try await Self.eventually { feed.openStreams == 1 }
            let second = try await client.request("/v1/events", identity: Self.operatorIdentity)
            #expect(second.httpStatus == 503)
            #expect(second.text.contains("dashboard.busy"))
            #expect(second.headers.lowercased().contains("retry-after: 5"))
            #expect(try await first.httpStatus == 200)
            // The slot is free again once the first stream ended.
            try await Self.eventually { feed.openStreams == 0 }
            #expect(feed.openStreams == 0)
        }
    }
}
