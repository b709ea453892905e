import GridCore
import Testing
@testable import MeshPlanner

@Suite struct GoalPrecedenceTests {
    static let schedule = Fixture.goal("day-ahead", .schedule([
        ScheduleStep(at: Fixture.now + -3600, powerKW: 20), ScheduleStep(at: Fixture.now + -60, powerKW: -40),
        ScheduleStep(at: Fixture.now + 1800, powerKW: 30),
    ]), from: -3600, to: 7200)

    @Test func aScheduleHoldsEachStepUntilTheNext() {
        #expect(Self.schedule.fleetTargetKW(at: Fixture.now) == -40)
        #expect(Self.schedule.fleetTargetKW(at: Fixture.now + 1800) == 30)
        #expect(Self.schedule.fleetTargetKW(at: Fixture.now + -3600) == 20)
    }

    @Test func aWindowOverridesTheScheduleAndIsReported() throws {
        let window = Fixture.goal("evening-peak", .discharge(kilowatts: 80))
        let resolved = ResolvedGoals([Self.schedule, window], at: Fixture.now)
        #expect(resolved.power?.goal.id == "evening-peak" && resolved.power?.targetKW == -80)
        #expect(resolved.conflicts == [GoalConflict(
            goal: "day-ahead", yieldsTo: "evening-peak", resolution: .overridden, detail: "a discharge window overrides a schedule")])
    }

    @Test func priorityComesFirstThenTheLaterStartThenTheID() {
        let urgent = Fixture.goal("urgent", .absorb(kilowatts: 10), priority: 5, from: -7200)
        let recent = Fixture.goal("recent", .discharge(kilowatts: 10), from: -60)
        let older = Fixture.goal("older", .discharge(kilowatts: 20), from: -600)
        #expect(ResolvedGoals([recent, older, urgent], at: Fixture.now).power?.goal.id == "urgent")
        #expect(ResolvedGoals([older, recent], at: Fixture.now).power?.goal.id == "recent")
        let twin = Fixture.goal("a-twin", .discharge(kilowatts: 5), from: -60)
        let resolved = ResolvedGoals([recent, twin], at: Fixture.now)
        #expect(resolved.power?.goal.id == "a-twin" && resolved.conflicts.first?.detail == "the smaller id wins a full tie")
    }

    @Test func theLowestCapBindsAndALooserOneYields() {
        let tight = Fixture.goal("tight", .importCap(kilowatts: 140))
        let loose = Fixture.goal("loose", .importCap(kilowatts: 200))
        let resolved = ResolvedGoals([loose, tight], at: Fixture.now)
        #expect(resolved.cap?.goal.id == "tight" && resolved.cap?.limitKW == 140)
        #expect(resolved.conflicts.map(\.resolution) == [.looserCap])
    }

    @Test func goalsOutsideTheirWindowAreNotInForce() {
        let past = Fixture.goal("past", .discharge(kilowatts: 10), from: -7200, to: -3600)
        let ends = Fixture.goal("ends-now", .discharge(kilowatts: 10), from: -3600, to: 0)
        #expect(ResolvedGoals([past, ends], at: Fixture.now).power == nil)
    }

    @Test func aTargetOverTheCapIsTrimmedAndReported() throws {
        let chargers = (0..<6).map { Fixture.charging("c\($0)", .single([Phase.a, .b, .c][$0 % 3])) }
        let t = Fixture.transformer("t", chargers: chargers)
        // Households 30 kW; the cap leaves the EVs 10 of the 40 asked.
        let plan = Fixture.plan([t], [Fixture.goal("soak", .absorb(kilowatts: 40)), Fixture.goal("cap", .importCap(kilowatts: 40))])
        #expect(close(plan.goal!.plannedKW, 10, 1e-9) && close(plan.goal!.shortfallKW, 30, 1e-9))
        #expect(plan.goal!.reason == .importCap)
        #expect(plan.conflicts.map(\.resolution) == [.trimmedByCap])
        #expect(plan.importCap!.binding && plan.importCap!.met && close(plan.importCap!.importKW, 40, 1e-9))
        #expect(plan.envelopeShape == .exact)
    }
}
