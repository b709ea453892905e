import FoundationEssentials
import GridCore
import Testing

/// A meter channel that can carry a bad value.
enum ProtectionChannel: String, Sendable, CaseIterable, CustomTestStringConvertible {
    case voltageA, voltageB, voltageC, angleB, currentA, currentC, activePowerB, reactivePowerC, frequency, time

    var testDescription: String { rawValue }

    /// The phase an event about this channel names.
    var phase: Phase? {
        switch self {
        case .voltageA, .currentA: .a
        case .voltageB, .angleB, .activePowerB: .b
        case .voltageC, .currentC, .reactivePowerC: .c
        case .frequency, .time: nil
        }
    }

    func corrupt(_ reading: MeterReading, with value: Double) -> MeterReading {
        var r = reading
        switch self {
        case .voltageA: r.voltageV.a = value
        case .voltageB: r.voltageV.b = value
        case .voltageC: r.voltageV.c = value
        case .angleB: r.voltageAngleDeg = PerPhase(a: 0, b: value, c: 120)
        case .currentA: r.currentA.a = value
        case .currentC: r.currentA.c = value
        case .activePowerB: r.activePowerKW.b = value
        case .reactivePowerC: r.reactivePowerKvar.c = value
        case .frequency: r.frequencyHz = value
        case .time: r.time = Timestamp(secondsSinceEpoch: value)
        }
        return r
    }
}

@Suite("Protection: meter data quality")
struct ProtectionDataQualityTests {
    /// A fresh monitor fed one reading taken `ageCycles` periods before now.
    func verdict(ageCycles: Double, periodS: Double) -> ProtectionVerdict {
        let now = ProtectionFixture.t0 + 10
        let reading = ProtectionFixture.reading(at: now + (-ageCycles * periodS))
        return ProtectionMonitor().evaluate(
            ProtectionState(), reading: reading, nominalPhaseVoltageV: ProtectionFixture.nominalV, cyclePeriodS: periodS, now: now
        ).1
    }

    @Test("a reading is stale after 3 cycles but not at 2 or 3", arguments: [0.1, 1.0, 10.0])
    func stale(periodS: Double) {
        #expect(verdict(ageCycles: 2, periodS: periodS) == .normal(advisories: []))
        #expect(verdict(ageCycles: 3, periodS: periodS).isNormal)
        let old = verdict(ageCycles: 3.05, periodS: periodS)
        #expect(old.holdsChargingAtFallback && !old.allowsDischarge && old.allowsCharging)
        #expect(old.codes == [.dataStale])
        #expect(verdict(ageCycles: 4, periodS: periodS).codes == [.dataStale])
    }

    @Test("missing readings: an advisory for 3 cycles, then the safe state")
    func missing() {
        var run = ProtectionRun(periodS: 0.5)
        #expect(run.step(pu: PerPhase(repeating: 1)).isNormal)
        for _ in 1...3 {
            let verdict = run.step(nil)
            #expect(verdict.isNormal && verdict.allowsDischarge)
            #expect(verdict.codes == [.dataMissing])
        }
        let verdict = run.step(nil)
        #expect(verdict.holdsChargingAtFallback)
        #expect(verdict.codes == [.dataMissing])
        #expect(run.step(pu: PerPhase(repeating: 1)) == .normal(advisories: []))
    }

    @Test("no data at start-up is the safe state; a repeated sample counts as missing")
    func startupAndRepeats() {
        var run = ProtectionRun()
        #expect(run.step(nil).holdsChargingAtFallback)
        let reading = ProtectionFixture.reading(at: run.now)
        #expect(run.step(reading).isNormal)
        #expect(run.step(reading).codes == [.dataMissing])
        #expect(run.step(reading).isNormal)
        #expect(run.step(reading).isNormal)
        #expect(run.step(reading).holdsChargingAtFallback)
    }

    @Test("NaN and infinity in any channel are implausible and never reach the state",
          arguments: ProtectionChannel.allCases, [Double.nan, .infinity, -.infinity])
    func nonFinite(channel: ProtectionChannel, value: Double) throws {
        var run = ProtectionRun()
        _ = run.step(pu: PerPhase(repeating: 1))
        let verdict = run.step(channel.corrupt(ProtectionFixture.reading(at: run.now, jitter: 1), with: value))
        #expect(verdict.holdsChargingAtFallback, "\(verdict)")
        #expect(!verdict.allowsDischarge)
        let event = try #require(verdict.events.first { $0.code == .dataImplausible })
        #expect(event.phase == channel.phase)
        #expect(run.state == run.state, "state holds a NaN")
        _ = try JSONEncoder().encode(run.state)
    }

    @Test("values outside their physical range are implausible", arguments: [
        (ProtectionChannel.currentA, -0.01), (.currentC, 5000.1), (.activePowerB, -3000.1), (.reactivePowerC, 3000.1),
        (.voltageB, 2.001 * ProtectionFixture.nominalV), (.voltageA, -1), (.frequency, 39.99), (.frequency, 70.01),
    ])
    func outOfRange(channel: ProtectionChannel, value: Double) throws {
        var run = ProtectionRun()
        let verdict = run.step(channel.corrupt(ProtectionFixture.reading(at: run.now), with: value))
        #expect(verdict.holdsChargingAtFallback)
        let event = try #require(verdict.events.first { $0.code == .dataImplausible })
        #expect(event.phase == channel.phase)
        #expect(event.message.contains("t=1700000000s"))
    }

    @Test("the range edges themselves are plausible")
    func rangeEdges() {
        var run = ProtectionRun(ProtectionMonitor(quality: DataQualitySettings(frozenAfterSamples: 100)))
        var reading = ProtectionFixture.reading(at: run.now)
        reading.currentA = PerPhase(a: 0, b: 5000, c: 1)
        reading.activePowerKW = PerPhase(a: -3000, b: 3000, c: 0)
        #expect(run.step(reading) == .normal(advisories: []))
    }

    @Test("a frozen meter: every channel identical for N samples", arguments: [3, 5])
    func frozen(samples: Int) {
        var run = ProtectionRun(ProtectionMonitor(quality: DataQualitySettings(frozenAfterSamples: samples)))
        for _ in 1..<samples {
            #expect(run.step(ProtectionFixture.reading(at: run.now)).isNormal)
        }
        let verdict = run.step(ProtectionFixture.reading(at: run.now))
        #expect(verdict.holdsChargingAtFallback)
        #expect(verdict.codes == [.dataFrozen])
        #expect(run.step(ProtectionFixture.reading(at: run.now, jitter: 1)) == .normal(advisories: []))
    }

    @Test("not frozen while one channel moves", arguments: ProtectionChannel.allCases.filter { $0 != .time })
    func oneChannelMoving(channel: ProtectionChannel) {
        var run = ProtectionRun()
        for k in 0..<20 {
            let base = ProtectionFixture.reading(at: run.now)
            let moving: Double = switch channel {
            case .voltageA: 240 + Double(k % 2)
            case .voltageB: 239 + Double(k % 2)
            case .voltageC: 241 - Double(k % 2)
            case .angleB: -120 + Double(k % 2) * 0.1
            case .currentA, .currentC: 50 + Double(k % 2)
            case .activePowerB, .reactivePowerC: 5 + Double(k % 2)
            case .frequency, .time: 60 + Double(k % 2) * 0.001
            }
            #expect(run.step(channel.corrupt(base, with: moving)) == .normal(advisories: []), "sample \(k)")
        }
    }

    @Test("a dead feeder (0 V, 0 Hz) still trips UV2 instead of only falling to the safe state")
    func deadFeeder() {
        var run = ProtectionRun()
        let verdict = run.step(pu: PerPhase(repeating: 0), hz: 0)
        #expect(verdict.isCeased)
        #expect(verdict.codes.contains(.tripUV2) && verdict.codes.contains(.dataImplausible))
    }

    @Test("timestamps that cannot be right: ahead of now, or going backwards")
    func badTimes() {
        var run = ProtectionRun()
        #expect(run.step(ProtectionFixture.reading(at: run.now + 5)).codes == [.dataImplausible])
        var ok = ProtectionRun()
        _ = ok.step(ProtectionFixture.reading(at: ok.now))
        #expect(ok.step(ProtectionFixture.reading(at: ProtectionFixture.t0 + (-1))).codes == [.dataImplausible])
    }

    @Test("bad cycle inputs never pass as normal", arguments: [(240.0, Double.nan), (0, 1), (.nan, 1), (240, 0), (240, -1)])
    func badInputs(nominalV: Double, periodS: Double) {
        let (state, verdict) = ProtectionMonitor().evaluate(
            ProtectionState(), reading: ProtectionFixture.reading(at: ProtectionFixture.t0),
            nominalPhaseVoltageV: nominalV, cyclePeriodS: periodS, now: ProtectionFixture.t0
        )
        #expect(verdict.codes == [.dataImplausible] && verdict.holdsChargingAtFallback)
        #expect(state == ProtectionState())
    }
}
