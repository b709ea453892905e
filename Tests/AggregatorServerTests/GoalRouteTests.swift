import AggregatorKit
import AggregatorServer
import EdgeSQLite
import Foundation
import GridCore
import Testing

/// The goal routes over real mutual TLS: curl as the client, the operator and agent certificates of v2g-pki, the
/// goals in the policy store's SQLite file.
@Suite("Goal routes")
struct GoalRouteTests {
    static var operatorIdentity: (cert: String, key: String) { PKIFixture.shared.operatorIdentity("ops") }

    /// One "now" for the suite (whole seconds), so that two times meant to be equal are.
    static let base = Date().timeIntervalSince1970.rounded(.down)

    /// Seconds from the suite's now, as RFC 3339.
    static func at(_ secondsFromNow: Double) -> String {
        Timestamp(secondsSinceEpoch: base + secondsFromNow).rfc3339
    }

    static func discharge(_ id: String, kw: String = "80", start: Double = -60, end: Double = 3_600, extra: String = "") -> [UInt8] {
        Array(#"{"id": "\#(id)", "kind": "discharge", "power_kw": \#(kw), "start": "\#(GoalRouteTests.at(start))", "end": "\#(GoalRouteTests.at(end))"\#(extra)}"#.utf8)
    }

    static func json(_ result: CurlResult) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(result.body)) as? [String: Any], "\(result.text)")
    }

    static func send(_ client: CurlClient, _ path: String, _ method: String = "GET", _ body: [UInt8]? = nil) async throws -> CurlResult {
        try await client.request(path, method: method, body: body, identity: operatorIdentity)
    }

    @Test("every goal route answers 403 role.operator_only to an agent's certificate; nothing is set or cleared")
    func agentsRefused() async throws {
        try await withPolicyTestServer { client, _, _, _ in
            #expect(try await Self.send(client, "/v1/goals", "POST", Self.discharge("kept")).httpStatus == 201)
            for (path, method, body) in [
                ("/v1/goals", "POST", Self.discharge("sneaky")), ("/v1/goals", "GET", nil), ("/v1/goals/kept", "GET", nil),
                ("/v1/goals/kept", "DELETE", nil),
            ] as [(String, String, [UInt8]?)] {
                let result = try await client.request(path, method: method, agent: "a1", body: body)
                #expect(result.httpStatus == 403 && result.text.contains("role.operator_only"), "\(method) \(path): \(result.text)")
            }
            let list = try Self.json(try await Self.send(client, "/v1/goals"))
            #expect((list["goals"] as? [[String: Any]])?.count == 1)
        }
    }

    @Test(
        "a malformed goal, or one outside physical bounds, is 400 naming the field",
        arguments: [
            (GoalRouteTests.discharge("neg", kw: "-5"), "goal.invalid", "power_kw"),
            (GoalRouteTests.discharge("huge", kw: "1e9"), "goal.invalid", "power_kw"),
            (GoalRouteTests.discharge("backwards", start: 3_600, end: 60), "goal.invalid", "end"),
            (GoalRouteTests.discharge("typo", extra: #", "colour": "red""#), "goal.invalid", "colour"),
            (GoalRouteTests.discharge("cap-key", extra: #", "limit_kw": 5"#), "goal.invalid", "limit_kw"),
            (GoalRouteTests.discharge("a/b"), "goal.invalid", "id"),
            (GoalRouteTests.discharge("over", start: -7_200, end: -60), "goal.ended", "end"),
            (Array(#"{"id": "fly", "kind": "fly", "start": "\#(GoalRouteTests.at(0))", "end": "\#(GoalRouteTests.at(60))"}"#.utf8), "goal.invalid", "kind"),
            (Array(#"{"id": "s", "kind": "schedule", "start": "\#(GoalRouteTests.at(0))", "end": "\#(GoalRouteTests.at(3_600))", "steps": [{"at": "\#(GoalRouteTests.at(0))", "power_kw": 5}, {"at": "\#(GoalRouteTests.at(60))", "power_kw": 5}, {"at": "\#(GoalRouteTests.at(120))", "power_kw": 200000}]}"#.utf8), "goal.invalid", "steps[2].power_kw"),
        ] as [([UInt8], String, String)])
    func invalidGoals(body: [UInt8], label: String, field: String) async throws {
        try await withPolicyTestServer { client, _, _, coordinator in
            let result = try await Self.send(client, "/v1/goals", "POST", body)
            #expect(result.httpStatus == 400, "\(result.text)")
            let answer = try Self.json(result)
            #expect(answer["error"] as? String == label && answer["field"] as? String == field, "\(result.text)")
            #expect((answer["message"] as? String)?.isEmpty == false)
            let list = try Self.json(try await Self.send(client, "/v1/goals"))
            #expect((list["goals"] as? [Any])?.isEmpty == true)
            let audit = try await coordinator.audit(limit: 5, beforeID: nil)
            #expect(audit.count == 1 && audit[0].action == "goals.set" && audit[0].outcome == "refused 400 \(label)", "\(audit)")
        }
    }

    @Test("text that is not JSON is 400 with the line and column")
    func notJSON() async throws {
        try await withPolicyTestServer { client, _, _, _ in
            let result = try await Self.send(client, "/v1/goals", "POST", Array(#"{"id": "x",, }"#.utf8))
            let answer = try Self.json(result)
            #expect(result.httpStatus == 400 && answer["error"] as? String == "goal.invalid")
            #expect((answer["message"] as? String)?.contains("line 1, column") == true, "\(result.text)")
        }
    }

    @Test("set, a duplicate 409, two overlapping goals listed with the one in force and the conflict, read one, clear, then 404; all audited")
    func lifecycle() async throws {
        try await withPolicyTestServer { client, _, _, coordinator in
            let first = try await Self.send(client, "/v1/goals", "POST", Self.discharge("evening-peak"))
            #expect(first.httpStatus == 201, "\(first.text)")
            let set = try Self.json(first)
            #expect(set["result"] as? String == "set" && (set["conflicts"] as? [Any])?.isEmpty == true)
            #expect(((set["goal"] as? [String: Any])?["set_by"] as? String) == "ops")

            let again = try await Self.send(client, "/v1/goals", "POST", Self.discharge("evening-peak", kw: "10"))
            #expect(try again.httpStatus == 409 && Self.json(again)["error"] as? String == "goal.exists", "\(again.text)")

            let urgent = Array(#"{"id": "urgent", "kind": "absorb", "power_kw": 25, "priority": 5, "start": "\#(Self.at(-30))", "end": "\#(Self.at(1_800))"}"#.utf8)
            let second = try Self.json(try await Self.send(client, "/v1/goals", "POST", urgent))
            let caused = try #require(second["conflicts"] as? [[String: Any]])
            #expect(caused.count == 1 && caused[0]["goal"] as? String == "evening-peak" && caused[0]["yields_to"] as? String == "urgent")
            #expect(caused[0]["resolution"] as? String == "overridden")

            let list = try Self.json(try await Self.send(client, "/v1/goals"))
            let goals = try #require(list["goals"] as? [[String: Any]])
            #expect(goals.map { ($0["goal"] as? [String: Any])?["id"] as? String } == ["evening-peak", "urgent"])
            #expect(goals.allSatisfy { $0["active"] as? Bool == true })
            let power = (list["in_force"] as? [String: Any])?["power"] as? [String: Any]
            #expect(power?["goal"] as? String == "urgent" && power?["target_kw"] as? Double == 25)
            let conflicts = try #require(list["conflicts"] as? [[String: Any]])
            #expect(conflicts.count == 1 && conflicts[0]["goal"] as? String == "evening-peak" && conflicts[0]["yields_to"] as? String == "urgent")
            #expect((conflicts[0]["detail"] as? String)?.contains("priority 5 over 0") == true)

            let one = try await Self.send(client, "/v1/goals/urgent")
            #expect(try one.httpStatus == 200 && (Self.json(one)["goal"] as? [String: Any])?["power_kw"] as? Double == 25)
            let cleared = try await Self.send(client, "/v1/goals/urgent", "DELETE")
            #expect(try cleared.httpStatus == 200 && Self.json(cleared)["result"] as? String == "cleared")
            #expect(try await Self.send(client, "/v1/goals/urgent", "DELETE").httpStatus == 404)
            let gone = try await Self.send(client, "/v1/goals/urgent")
            #expect(gone.httpStatus == 404 && gone.text.contains("goal.not_found"))

            let audit = try await coordinator.audit(limit: 10, beforeID: nil).map { "\($0.operatorName) \($0.action) \($0.target) \($0.outcome)" }
            #expect(audit == [
                "ops goals.clear goal urgent refused 404 goal.not_found", "ops goals.clear goal urgent ok", "ops goals.set goal urgent ok",
                "ops goals.set goal evening-peak refused 409 goal.exists", "ops goals.set goal evening-peak ok",
            ])
        }
    }

    @Test("without a policy store the goal routes work and nothing is audited")
    func withoutPolicyStore() async throws {
        try await withPolicyTestServer(wiringPolicy: false) { client, _, _, coordinator in
            let set = try await Self.send(client, "/v1/goals", "POST", Self.discharge("evening-peak"))
            let read = try await Self.send(client, "/v1/goals/evening-peak")
            let cleared = try await Self.send(client, "/v1/goals/evening-peak", "DELETE")
            let rollouts = try await Self.send(client, "/v1/rollouts")
            #expect(set.httpStatus == 201 && read.httpStatus == 200 && cleared.httpStatus == 200, "\(set.text) \(read.text) \(cleared.text)")
            #expect(rollouts.httpStatus == 404, "no policy routes")
            let audit = try await coordinator.audit(limit: 5, beforeID: nil)
            #expect(audit.isEmpty)
        }
    }

    @Test("a damaged row is listed as unreadable naming its id, reads as 500 naming it, and can be cleared")
    func damagedRow() async throws {
        try await withPolicyTestServer { client, store, _, _ in
            #expect(try await Self.send(client, "/v1/goals", "POST", Self.discharge("evening-peak")).httpStatus == 201)
            #expect(try await Self.send(client, "/v1/goals", "POST", Self.discharge("other")).httpStatus == 201)
            let policyPath = URL(fileURLWithPath: store.path).deletingLastPathComponent().appendingPathComponent("policy.sqlite").path
            do {
                let db = try SQLiteDatabase(path: policyPath, busyTimeoutMilliseconds: 60_000)
                try db.execute("UPDATE neighborhood_goals SET goal_json = '{\"id\": 7' WHERE id = 'evening-peak'")
            }
            let list = try Self.json(try await Self.send(client, "/v1/goals"))
            #expect((list["goals"] as? [[String: Any]])?.count == 1)
            let unreadable = try #require(list["unreadable"] as? [[String: Any]])
            #expect(unreadable.count == 1 && unreadable[0]["id"] as? String == "evening-peak")
            let read = try await Self.send(client, "/v1/goals/evening-peak")
            #expect(read.httpStatus == 500 && read.text.contains("goal_store.corrupt") && read.text.contains("goal evening-peak"), "\(read.text)")
            #expect(try await Self.send(client, "/v1/goals/evening-peak", "DELETE").httpStatus == 200)
            #expect(((try Self.json(try await Self.send(client, "/v1/goals")))["unreadable"] as? [Any])?.isEmpty == true)
        }
    }
}
