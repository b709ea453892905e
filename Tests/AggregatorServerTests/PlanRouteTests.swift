import AggregatorKit
import AggregatorServer
import Foundation
import GridCore
import MeshPlanner
import Testing

@Suite("Plan route", .serialized)
struct PlanRouteTests {
    typealias F = PlannerFixture

    /// A JSON number within 1e-6 of `value`.
    func close(_ number: Any?, _ value: Double) -> Bool {
        guard let number = number as? NSNumber else { return false }
        return abs(number.doubleValue - value) < 1e-6
    }

    @Test("GET /v1/plan over mutual TLS: 403 for an agent, 404 before the first pass, then the plan with planned against achieved")
    func planRoute() async throws {
        let rig = PlannerServiceTests.rig()
        let routes = PlanRoutes(plans: rig.plans, fleetState: rig.fleet, envelopes: rig.envelopes, now: { F.now })
        let operatorID = PKIFixture.shared.operatorIdentity("ops")
        try await withPolicyTestServer(plan: routes) { client, _, _, _ in
            let agent = try await client.request("/v1/plan", agent: "a1")
            #expect(agent.httpStatus == 403)
            #expect(agent.text.contains("role.operator_only"))
            let early = try await client.request("/v1/plan", identity: operatorID)
            #expect(early.httpStatus == 404)
            #expect(early.text.contains("plan.none"))

            let pass = try await rig.service().runPass()
            let sequence = try #require(pass.sequence)
            let result = try await client.request("/v1/plan", identity: operatorID)
            #expect(result.httpStatus == 200)
            let body = try #require(try JSONSerialization.jsonObject(with: Data(result.body)) as? [String: Any])
            let header = try #require(body["pass"] as? [String: Any])
            #expect(header["outcome"] as? String == "planned")
            #expect(header["sequence"] as? Int == sequence)
            let plan = try #require(body["plan"] as? [String: Any])
            #expect(plan["pass"] as? String == "discharge")
            #expect((plan["transformers"] as? [Any])?.count == 3)
            // The plan is the planner's own JSON: per-phase keys A, B, C.
            let firstAllocation = try #require((plan["transformers"] as? [[String: Any]])?.first)
            #expect((firstAllocation["envelope_kw"] as? [String: Any])?.keys.sorted() == ["A", "B", "C"])

            let progress = try #require(body["planned_vs_achieved"] as? [String: Any])
            let goal = try #require(progress["goal"] as? [String: Any])
            #expect(goal["goal"] as? String == "evening-peak")
            #expect(close(goal["planned_kw"], -30))
            #expect(close(goal["achieved_kw"], 15))
            #expect(close(goal["achieved_shortfall_kw"], 45))
            #expect(goal["reporting"] as? Int == 3)
            let transformers = try #require(progress["transformers"] as? [[String: Any]])
            let tx2 = try #require(transformers.first { $0["id"] as? String == "tx-2" })
            #expect(close(tx2["achieved_kw"], 5))
            #expect(close(tx2["planned_kw"], -10))
            let phaseB = try #require((tx2["phases"] as? [String: Any])?["B"] as? [String: Any])
            #expect(close(phaseB["achieved_kw"], -1))
            let allocation = try #require(pass.plan?.transformers.first { $0.id == "tx-2" })
            #expect(close(phaseB["planned_kw"], try #require(allocation.phaseKW?.b)))

            let envelopes = try #require(body["envelopes"] as? [[String: Any]])
            #expect(envelopes.map { $0["agent_id"] as? String } == ["tx-1", "tx-2", "tx-3"])
            for envelope in envelopes {
                #expect(envelope["sequence"] as? Int == sequence)
                #expect(envelope["in_force"] as? Bool == true)
                #expect(envelope["valid_until"] as? String == (F.now + 75).rfc3339)
            }
        }
    }
}
