import GridCore
import Testing

@Suite("Protection: enter service, discharge block, determinism")
struct ProtectionEnterServiceTests {
    /// A run tripped by OV2 at cycle 0 (1 s period).
    func tripped() -> ProtectionRun {
        var run = ProtectionRun(periodS: 1)
        let verdict = run.step(pu: ProtectionFixture.onePhase(.a, at: 1.25))
        #expect(verdict.isCeased && verdict.codes.first == .tripOV2)
        return run
    }

    @Test("after a trip, cease to energize until the window has held for 300 s")
    func enterServiceDelay() {
        var run = tripped()
        for k in 0..<300 {
            let verdict = run.step(pu: PerPhase(repeating: 1.0))
            #expect(verdict.isCeased && !verdict.allowsCharging, "back in service early, \(k) s into the window")
            #expect(verdict.codes == [.enterServiceWait])
        }
        #expect(run.step(pu: PerPhase(repeating: 1.0)) == .normal(advisories: []))
        #expect(run.state.trip == nil)
    }

    @Test("leaving the window restarts the delay", arguments: [
        (ProtectionFixture.onePhase(.c, at: 1.051), 60.0), (ProtectionFixture.onePhase(.b, at: 0.916), 60.0),
        (PerPhase(repeating: 1.0), 60.11), (PerPhase(repeating: 1.0), 59.49),
    ])
    func windowRestarts(volts: PerPhase<Double>, hz: Double) {
        var run = tripped()
        for _ in 0..<200 { _ = run.step(pu: PerPhase(repeating: 1.0)) }
        let out = run.step(pu: volts, hz: hz)
        #expect(out.isCeased && out.codes == [.enterServiceWait])
        #expect(run.state.enterService == nil)
        for _ in 0..<300 { #expect(run.step(pu: PerPhase(repeating: 1.0)).isCeased) }
        #expect(run.step(pu: PerPhase(repeating: 1.0)).isNormal)
    }

    @Test("the window edges (0.917 pu, 1.05 pu, 59.5 Hz, 60.1 Hz) count as inside")
    func windowEdges() {
        var run = tripped()
        let edges = [(0.917, 59.5), (1.05, 60.1)]
        for k in 0...300 {
            let (pu, hz) = edges[k % 2]
            let verdict = run.step(pu: PerPhase(repeating: pu), hz: hz)
            #expect(verdict.isCeased == (k < 300), "sample \(k)")
        }
    }

    @Test("bad data while tripped keeps the trip, and a long gap restarts the delay")
    func badDataWhileTripped() {
        var run = tripped()
        for _ in 0..<100 { _ = run.step(pu: PerPhase(repeating: 1.0)) }
        let verdict = run.step(nil)
        #expect(verdict.isCeased && verdict.codes == [.dataMissing, .enterServiceWait])
        for _ in 0..<4 { _ = run.step(nil) }
        for _ in 0..<300 { #expect(run.step(pu: PerPhase(repeating: 1.0)).isCeased) }
        #expect(run.step(pu: PerPhase(repeating: 1.0)).isNormal)
    }

    @Test("above 1.10 pu on any phase blocks discharge at once", arguments: Phase.allCases)
    func overvoltageBlock(phase: Phase) throws {
        var run = ProtectionRun(periodS: 1)
        #expect(run.step(pu: ProtectionFixture.onePhase(phase, at: 1.10)).allowsDischarge)
        let verdict = run.step(pu: ProtectionFixture.onePhase(phase, at: 1.101))
        #expect(verdict.isNormal && !verdict.allowsDischarge && verdict.allowsCharging)
        let event = try #require(verdict.events.first)
        #expect(event.code == .overvoltageDischargeBlocked && event.phase == phase)
        #expect(event.message.contains("1.101 pu") && event.message.contains("1.1 pu") && event.message.contains("t=1700000001s"))
        let held = run.step(nil)
        #expect(!held.allowsDischarge && held.codes == [.dataMissing, .overvoltageDischargeBlocked])
        #expect(run.step(pu: PerPhase(repeating: 1.05)).allowsDischarge)
    }

    @Test("the same inputs give the same outputs")
    func determinism() {
        func script() -> [(ProtectionState, ProtectionVerdict)] {
            var run = ProtectionRun(periodS: 0.1)
            var out: [(ProtectionState, ProtectionVerdict)] = []
            let levels = [1.0, 1.12, 1.12, 1.0, 0.6, 0.6, 1.3, 1.0, 1.0]
            for k in 0..<400 {
                let verdict = k % 37 == 5 ? run.step(nil) : run.step(pu: ProtectionFixture.onePhase(.b, at: levels[(k / 20) % levels.count]))
                out.append((run.state, verdict))
            }
            return out
        }
        let first = script()
        let second = script()
        #expect(first.count == second.count)
        for (a, b) in zip(first, second) {
            #expect(a.0 == b.0 && a.1 == b.1)
        }
        #expect(first.contains { $0.1.isCeased } && first.contains { $0.1.isNormal })
        let monitor = ProtectionMonitor()
        let (state, reading) = (first[50].0, ProtectionFixture.reading(at: ProtectionFixture.t0 + 5.1, pu: PerPhase(repeating: 1.15)))
        let once = monitor.evaluate(state, reading: reading, nominalPhaseVoltageV: 240, cyclePeriodS: 0.1, now: ProtectionFixture.t0 + 5.1)
        let twice = monitor.evaluate(state, reading: reading, nominalPhaseVoltageV: 240, cyclePeriodS: 0.1, now: ProtectionFixture.t0 + 5.1)
        #expect(once.0 == twice.0 && once.1 == twice.1)
    }
}
