import AdmKit
import FoundationEssentials
import GridCore
import MeshPlanner
import Testing

/// `v2g-adm dispatch plan` on the documented examples, and its one-line errors.
@Suite struct DispatchPlanTests {
    static func example(_ name: String, filePath: String = #filePath) -> String {
        filePath.split(separator: "/", omittingEmptySubsequences: false).dropLast(3).joined(separator: "/") + "/examples/neighborhood/" + name
    }

    static func plan(_ snapshot: String, _ goals: String?) throws -> NeighborhoodPlan {
        let path = example(snapshot)
        let neighborhood = try DispatchPlan.snapshot(try DispatchPlan.read(path), name: path)
        let goalList = try goals.map { name throws(DispatchInputError) in
            try DispatchPlan.goals(try DispatchPlan.read(example(name)), name: name)
        } ?? []
        return MeshPlanner.plan(neighborhood, goals: goalList, now: neighborhood.time!)
    }

    static func message(_ text: String, goals: Bool = false) -> String {
        do {
            if goals { _ = try DispatchPlan.goals(Array(text.utf8), name: "goals.json") } else { _ = try DispatchPlan.snapshot(Array(text.utf8), name: "n.json") }
            return "accepted"
        } catch {
            return error.message
        }
    }

    @Test func fourBalancedTransformersMeetTheDischargeGoal() throws {
        let plan = try Self.plan("four-balanced.json", "goal-discharge.json")
        #expect(plan.transformers.count == 4 && plan.leftOut.isEmpty)
        #expect(plan.goal?.met == true && plan.goal?.plannedKW == -80)
        #expect(plan.pass == .discharge)
        // tx-south has an EV that must charge before 19:30: its phase A charges, the others discharge.
        let south = try #require(plan.transformers.first { $0.id == "tx-south" })
        #expect(south.mode == .mixed && south.phaseKW!.a > 0 && south.evNeedKW > 0)
        let text = DispatchPlan.text(plan)
        #expect(text.contains("goal evening-peak (discharge): EV fleet target -80.0 kW, planned -80.0 kW, met"))
        #expect(text.contains("objective Σ P²/h ="))
    }

    @Test func aHotTransformerCarriesLessAndTheGoalIsStillMet() throws {
        let cool = try Self.plan("four-balanced.json", "goal-discharge.json")
        let hot = try Self.plan("one-hot.json", "goal-discharge.json")
        let share = { (plan: NeighborhoodPlan) in plan.transformers.first { $0.id == "tx-east" }!.plannedKW! }
        #expect(share(hot) > share(cool))  // less discharge (the planned power is negative)
        #expect(hot.goal?.met == true)
        for id in ["tx-north", "tx-west"] {
            #expect(hot.transformers.first { $0.id == id }!.plannedKW! <= cool.transformers.first { $0.id == id }!.plannedKW!)
        }
        let east = hot.transformers.first { $0.id == "tx-east" }!
        #expect(east.forecastHotSpotC <= east.hotSpotAimC)
    }

    @Test func anInfeasibleGoalIsMetAsFarAsTheLimitsAllow() throws {
        let plan = try Self.plan("four-balanced.json", "goal-infeasible.json")
        let goal = try #require(plan.goal)
        #expect(!goal.met && goal.shortfallKW > 0 && goal.reason != nil)
        #expect(goal.plannedKW == plan.totals.evRangeKW?.lowerKW)
        #expect(DispatchPlan.text(plan).contains("shortfall"))
    }

    @Test func overlappingGoalsResolveByPrecedence() throws {
        let plan = try Self.plan("four-balanced.json", "goal-overlapping.json")
        #expect(plan.goal?.goal == "evening-peak")
        let resolutions = Dictionary(uniqueKeysWithValues: plan.conflicts.map { ($0.goal, $0.resolution) })
        #expect(resolutions["day-ahead"] == .overridden && resolutions["feeder-cap-loose"] == .looserCap)
        #expect(plan.importCap?.goal == "feeder-cap")
    }

    @Test func anAbsorbGoalTrimmedByTheCap() throws {
        let plan = try Self.plan("four-balanced.json", "goal-absorb-capped.json")
        #expect(plan.conflicts.map(\.resolution) == [.trimmedByCap])
        #expect(plan.importCap?.met == true && plan.goal?.reason == .importCap)
    }

    @Test func jsonIsOneObjectThatDecodesBack() throws {
        let plan = try Self.plan("four-balanced.json", "goal-discharge.json")
        let text = DispatchPlan.json(plan)
        let again = try JSONDecoder().decode(NeighborhoodPlan.self, from: Data(text.utf8))
        #expect(again == plan)
        #expect(text.hasPrefix("{") && text.contains("\"objective_kw\""))
    }

    @Test func syntaxErrorsNameTheFileLineAndColumn() {
        #expect(Self.message("{\"transformers\": [\n  {\"id\": \"t\",}\n]}") == "n.json: line 2, column 13: trailing comma before '}'")
    }

    @Test func valueErrorsNameTheFileLineAndField() throws {
        let good = try String(decoding: DispatchPlan.read(Self.example("four-balanced.json")), as: UTF8.self)
        let bad = good.replacing("\"rated_kva\": 100,", with: "\"rated_kva\": 0,")
        let message = Self.message(bad)
        #expect(message.hasPrefix("n.json: line 7: transformers[0].rated_kva: rated_kva = 0.0 is outside the allowed range"), "\(message)")
        let typo = good.replacing("\"margin_k\": 1,", with: "\"margin\": 1,")
        #expect(Self.message(typo).contains("transformers[0].thermal.margin: unknown key \"margin\""))
        #expect(Self.message("{\"transformers\": []}").hasPrefix("accepted"))
    }

    @Test func goalErrorsNameTheField() {
        let message = Self.message("{\"goals\": [{\"id\": \"g\", \"kind\": \"discharge\", \"power_kw\": 1e9, \"start\": 0, \"end\": 60}]}", goals: true)
        #expect(message.hasPrefix("goals.json: line 1: goals[0].power_kw: power_kw = 1000000000.0 is outside"), "\(message)")
    }

    @Test func aMissingFileSaysWhy() {
        #expect(throws: DispatchInputError.self) { try DispatchPlan.read("/nonexistent/n.json") }
        do {
            _ = try DispatchPlan.read("/nonexistent/n.json")
        } catch {
            #expect(error.message == "/nonexistent/n.json: cannot read the file (No such file or directory)")
        }
    }
}
