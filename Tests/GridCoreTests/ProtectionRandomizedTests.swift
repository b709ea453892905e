import GridCore
import Testing

@Suite("Protection: randomized readings")
struct ProtectionRandomizedTests {
    /// A value that no meter channel may carry.
    static func poison(_ rng: inout ProtectionSplitMix64) -> Double {
        [Double.nan, .infinity, -.infinity, -1e9, 1e12, -0.5][Int.random(in: 0..<6, using: &rng)]
    }

    /// A reading near nominal with random load; true in `.1` when a channel was corrupted.
    static func reading(_ rng: inout ProtectionSplitMix64, at time: Timestamp) -> (MeterReading, Bool) {
        var r = MeterReading(
            time: time,
            voltageV: PerPhase { _ in Double.random(in: 0.9...1.12, using: &rng) * ProtectionFixture.nominalV },
            voltageAngleDeg: Bool.random(using: &rng) ? nil : PerPhase { $0.nominalAngleDegrees + Double.random(in: -2...2, using: &rng) },
            currentA: PerPhase { _ in Double.random(in: 0...400, using: &rng) },
            activePowerKW: PerPhase { _ in Double.random(in: -80...80, using: &rng) },
            reactivePowerKvar: PerPhase { _ in Double.random(in: -30...30, using: &rng) },
            frequencyHz: Double.random(in: 59.7...60.3, using: &rng)
        )
        guard Double.random(in: 0..<1, using: &rng) < 0.3 else { return (r, false) }
        let phase = Phase.allCases[Int.random(in: 0..<3, using: &rng)]
        let bad = poison(&rng)
        switch Int.random(in: 0..<6, using: &rng) {
        case 0: r.voltageV[phase] = bad < 0 || !bad.isFinite ? bad : 3 * ProtectionFixture.nominalV
        case 1: r.currentA[phase] = bad
        case 2: r.activePowerKW[phase] = bad.isFinite ? 1e6 : bad
        case 3: r.reactivePowerKvar[phase] = bad.isFinite ? -1e6 : bad
        case 4: r.frequencyHz = bad.isFinite ? (bad < 0 ? 0 : 1000) : bad
        default: r.voltageAngleDeg = PerPhase { $0 == phase ? (bad.isFinite ? Double.nan : bad) : 0 }
        }
        return (r, true)
    }

    @Test("no NaN or implausible reading ever yields .normal", arguments: [1 as UInt64, 42, 0xDEAD_BEEF])
    func neverNormalOnBadData(seed: UInt64) {
        var rng = ProtectionSplitMix64(seed: seed)
        let periodS = [0.1, 1, 10][Int(seed % 3)]
        var run = ProtectionRun(periodS: periodS)
        var corrupted = 0
        for _ in 0..<5000 {
            let (reading, isBad) = Self.reading(&rng, at: run.now)
            let verdict = run.step(reading)
            if isBad {
                corrupted += 1
                #expect(!verdict.isNormal && !verdict.allowsDischarge, "bad reading passed: \(reading)")
                #expect(verdict.codes.contains(.dataImplausible))
            }
            #expect(run.state == run.state, "a NaN reached the state")
        }
        #expect(corrupted > 1000)
    }

    @Test("random cycle inputs (gaps, stale and future times) never pass bad data as normal")
    func randomTiming() {
        var rng = ProtectionSplitMix64(seed: 7)
        let monitor = ProtectionMonitor()
        var state = ProtectionState()
        var now = ProtectionFixture.t0
        for _ in 0..<5000 {
            now = now + Double.random(in: 0.05...2, using: &rng)
            let lag = [0, 0, 0.3, 2.5, 4, -3, .nan][Int.random(in: 0..<7, using: &rng)]
            var reading: MeterReading? = Self.reading(&rng, at: now + (-lag)).0
            if Int.random(in: 0..<5, using: &rng) == 0 { reading = nil }
            let (next, verdict) = monitor.evaluate(state, reading: reading, nominalPhaseVoltageV: 240, cyclePeriodS: 1, now: now)
            if verdict.isNormal, let reading {
                let values = reading.voltageV.values + reading.currentA.values + reading.activePowerKW.values
                    + reading.reactivePowerKvar.values + [reading.frequencyHz, reading.time.secondsSinceEpoch]
                    + (reading.voltageAngleDeg?.values ?? [])
                let allFinite = values.allSatisfy(\.isFinite)
                #expect(allFinite)
                #expect(now - reading.time <= 3 + 1e-3 && reading.time - now <= 1 + 1e-3)
                #expect(reading.currentA.values.allSatisfy { (0...5000).contains($0) })
                #expect((40...70).contains(reading.frequencyHz))
            }
            if verdict.isNormal, reading == nil {
                #expect(verdict.codes.contains(.dataMissing))
            }
            #expect(next == next)
            state = next
        }
    }
}
