import GridCore
import Testing

/// Data faults must not hide or delay a trip: a frozen meter still drives the timers, and a condition seen on
/// both sides of missing or repeated readings counts as continuous through them.
@Suite("Protection: trips that data faults cannot hide")
struct ProtectionDataFaultTests {
    /// A reading with the load gone (0 A, 0 kW): during a sag every channel then repeats exactly.
    static func deadLoad(at time: Timestamp, pu: Double, hz: Double = 60) -> MeterReading {
        MeterReading(
            time: time, voltageV: PerPhase(repeating: pu * ProtectionFixture.nominalV), currentA: PerPhase(repeating: 0),
            activePowerKW: PerPhase(repeating: 0), reactivePowerKvar: PerPhase(repeating: 0), frequencyHz: hz)
    }

    @Test("a 0.60 pu sag with the load at 0 A freezes the meter, and UV1 still trips within its clearing time")
    func frozenSag() throws {
        var run = ProtectionRun(periodS: 1)
        for _ in 0..<100 { #expect(run.step(pu: PerPhase(repeating: 1)).isNormal) }
        let onsetS = Double(run.cycle) - 0.4  // the sag began between two samples
        var sawSafeState = false
        var tripDelayS: Double?
        for _ in 0..<30 {
            let t = Double(run.cycle)
            let verdict = run.step(Self.deadLoad(at: run.now, pu: 0.60))
            if verdict.codes.contains(.tripUV1) {
                #expect(verdict.isCeased)
                tripDelayS = t - onsetS
                break
            }
            if verdict.holdsChargingAtFallback {
                sawSafeState = true
                #expect(verdict.codes == [.dataFrozen])
            }
        }
        #expect(sawSafeState, "the frozen meter must still be reported")
        let delay = try #require(tripDelayS, "UV1 never tripped on the frozen sag")
        // Category II at 0.60 pu: 0.32 s ride-through, 10 s clearing.
        #expect(delay >= 0.32 && delay <= 10)
    }

    @Test("a frozen meter at 58.0 Hz still trips UF1 by its 300 s clearing time, not before 299 s")
    func frozenUnderFrequency() throws {
        var run = ProtectionRun(periodS: 1)
        for _ in 0..<10 { _ = run.step(pu: PerPhase(repeating: 1)) }
        let onsetS = Double(run.cycle) - 0.5
        var tripDelayS: Double?
        for _ in 0..<400 {
            let t = Double(run.cycle)
            let verdict = run.step(Self.deadLoad(at: run.now, pu: 1.0, hz: 58.0))
            if verdict.codes.contains(.tripUF1) {
                tripDelayS = t - onsetS
                break
            }
        }
        let delay = try #require(tripDelayS, "UF1 never tripped on the frozen meter")
        #expect(delay >= 299 && delay <= 300)
    }

    @Test("four seconds of missing readings mid-sag do not restart the UV1 timer")
    func gapMidSag() throws {
        var run = ProtectionRun(periodS: 0.5)
        let onsetS = 100.37
        var tripDelayS: Double?
        while run.cycle < 400 {
            let t = Double(run.cycle) * 0.5
            let sagged = t >= onsetS
            let verdict = (105.5...109.5).contains(t)
                ? run.step(nil) : run.step(pu: PerPhase(repeating: sagged ? 0.60 : 1.0))
            if verdict.codes.contains(.tripUV1) {
                tripDelayS = t - onsetS
                break
            }
        }
        let delay = try #require(tripDelayS)
        #expect(delay >= 0.32 && delay <= 10, "UV1 tripped \(delay) s after the onset")
    }

    @Test("a meter repeating its last timestamp mid-sag: the condition counts as continuous")
    func repeatedReadingsMidSag() throws {
        var run = ProtectionRun(periodS: 1)
        for _ in 0..<5 { _ = run.step(pu: PerPhase(repeating: 1)) }
        var tripAtCycle: Int?
        var held: MeterReading?
        for k in 0..<30 {
            let reading: MeterReading
            if (3...8).contains(k), let held {
                reading = held  // the meter stopped updating: same timestamp, so stale after 3 cycles
            } else {
                reading = ProtectionFixture.reading(at: run.now, pu: PerPhase(repeating: 0.60), jitter: k)
                held = reading
            }
            if run.step(reading).codes.contains(.tripUV1) {
                tripAtCycle = k
                break
            }
        }
        // First seen at k = 0; due at observed + 2 s > 10 s, so k = 9 with no gap, and the same with the gap.
        #expect(try #require(tripAtCycle) == 9)
    }

    @Test("the safe state never replaces a trip that is due", arguments: [0.1, 0.5])
    func tripBeatsSafeState(periodS: Double) throws {
        var run = ProtectionRun(periodS: periodS)
        _ = run.step(pu: PerPhase(repeating: 1))
        // 1.15 pu with the load gone: frozen from the third sample on, OV1 due at observed + 2p > 2 s.
        var verdicts: [ProtectionVerdict] = []
        for _ in 0..<30 { verdicts.append(run.step(Self.deadLoad(at: run.now, pu: 1.15))) }
        let trip = try #require(verdicts.firstIndex { $0.codes.contains(.tripOV1) })
        #expect(verdicts[2].holdsChargingAtFallback && verdicts[2].codes.contains(.dataFrozen))
        #expect(verdicts[trip].isCeased && verdicts[trip].codes.contains(.dataFrozen))
        #expect(Double(trip) * periodS + 2 * periodS > 2 && Double(trip - 1) * periodS + 2 * periodS <= 2 + 1e-9)
    }
}
