import GridCore
import Testing

/// One row of the IEEE 1547-2018 Category II tables (12 and 19), with values just inside and just outside the pickup,
/// the ride-through minimum of the region just outside it (Tables 15 and 21), and the sample (0-based) at which the
/// trip is due for a 1 s and a 0.1 s cycle: the first sample where waiting one more period could overrun the
/// clearing time (observed + 2p > clearing) and the condition has surely lasted the ride-through minimum.
struct ProtectionTripCase: Sendable, CustomTestStringConvertible {
    var function: TripFunction
    var pickup: Double
    var clearingTimeS: Double
    var inside: Double
    var outside: Double
    var rideThroughS: Double
    var tripSampleAt1S: Int
    var tripSampleAt100Ms: Int
    /// The stage-1 function that would pick up at `inside` too, and the pickup that keeps it quiet for that test.
    var quietStage: (TripFunction, Double)?

    var testDescription: String { function.rawValue }

    static let categoryII: [ProtectionTripCase] = [
        .init(function: .ov2, pickup: 1.20, clearingTimeS: 0.16, inside: 1.199, outside: 1.201, rideThroughS: 0,
              tripSampleAt1S: 0, tripSampleAt100Ms: 0, quietStage: (.ov1, 1.20)),
        .init(function: .ov1, pickup: 1.10, clearingTimeS: 2, inside: 1.099, outside: 1.101, rideThroughS: 1,
              tripSampleAt1S: 1, tripSampleAt100Ms: 19),
        .init(function: .uv1, pickup: 0.70, clearingTimeS: 10, inside: 0.701, outside: 0.699, rideThroughS: 3 + 8.7 * 0.049,
              tripSampleAt1S: 9, tripSampleAt100Ms: 99),
        // 0.449 pu lies in the 0.30–0.45 pu permissive region: 0.16 s of ride-through before UV2 may trip.
        .init(function: .uv2, pickup: 0.45, clearingTimeS: 0.16, inside: 0.451, outside: 0.449, rideThroughS: 0.16,
              tripSampleAt1S: 1, tripSampleAt100Ms: 2, quietStage: (.uv1, 0.45)),
        .init(function: .of2, pickup: 62.0, clearingTimeS: 0.16, inside: 61.999, outside: 62.001, rideThroughS: 0,
              tripSampleAt1S: 0, tripSampleAt100Ms: 0, quietStage: (.of1, 62.0)),
        .init(function: .of1, pickup: 61.2, clearingTimeS: 300, inside: 61.199, outside: 61.201, rideThroughS: 299,
              tripSampleAt1S: 299, tripSampleAt100Ms: 2999),
        .init(function: .uf1, pickup: 58.5, clearingTimeS: 300, inside: 58.501, outside: 58.499, rideThroughS: 299,
              tripSampleAt1S: 299, tripSampleAt100Ms: 2999),
        .init(function: .uf2, pickup: 56.5, clearingTimeS: 0.16, inside: 56.501, outside: 56.499, rideThroughS: 0,
              tripSampleAt1S: 0, tripSampleAt100Ms: 0, quietStage: (.uf1, 56.5)),
    ]

    static let slow = categoryII.filter { $0.clearingTimeS > 1 }

    func tripSample(periodS: Double) -> Int { periodS == 1 ? tripSampleAt1S : tripSampleAt100Ms }

    /// Drives one cycle with this function's quantity at `value` (voltage on phase B only).
    func step(_ run: inout ProtectionRun, _ value: Double) -> ProtectionVerdict {
        function.watchesVoltage ? run.step(pu: ProtectionFixture.onePhase(.b, at: value)) : run.step(hz: value)
    }
}

@Suite("Protection: IEEE 1547-2018 Category II trips")
struct ProtectionTripTests {
    @Test("defaults match the Category II table", arguments: ProtectionTripCase.categoryII)
    func defaults(row: ProtectionTripCase) {
        let setting = TripSettings.categoryII()[row.function]
        #expect(setting.pickup == row.pickup)
        #expect(setting.clearingTimeS == row.clearingTimeS)
    }

    @Test("just outside the pickup trips at the due sample, not before", arguments: ProtectionTripCase.categoryII, [1.0, 0.1])
    func tripsOnTime(row: ProtectionTripCase, periodS: Double) throws {
        var run = ProtectionRun(periodS: periodS)
        let due = row.tripSample(periodS: periodS)
        for sample in 0..<due {
            let verdict = row.step(&run, row.outside)
            #expect(!verdict.isCeased, "tripped early at sample \(sample): \(verdict.events)")
        }
        let verdict = row.step(&run, row.outside)
        #expect(verdict.isCeased)
        #expect(!verdict.allowsCharging && !verdict.allowsDischarge)
        let event = try #require(verdict.events.first { $0.code == row.function.code })
        #expect(event.phase == (row.function.watchesVoltage ? .b : nil))
        // Never later than max(clearing, ride-through + 2p): the observed duration at the trip plus one period
        // (the most the condition can have run before it was first seen) stays within it; and never before the
        // ride-through minimum, which the observed duration alone already covers.
        #expect(Double(due) * periodS + periodS <= max(row.clearingTimeS, row.rideThroughS + 2 * periodS) + 1e-9)
        #expect(Double(due) * periodS >= row.rideThroughS - 1e-9)
    }

    @Test("just inside the pickup never trips", arguments: ProtectionTripCase.categoryII, [1.0, 0.1])
    func insideNeverTrips(row: ProtectionTripCase, periodS: Double) {
        var settings = TripSettings.categoryII()
        if let (stage, pickup) = row.quietStage { settings[stage].pickup = pickup }
        var run = ProtectionRun(ProtectionMonitor(trip: settings), periodS: periodS)
        let samples = Int((row.clearingTimeS / periodS).rounded(.up)) + 10
        var trips: [ProtectionCode] = []
        for _ in 0..<samples {
            trips += row.step(&run, row.inside).codes.filter(\.isTrip)
        }
        #expect(trips.isEmpty)
        #expect(run.state.trip == nil)
    }

    @Test("a condition that clears resets its timer", arguments: ProtectionTripCase.slow)
    func clearingResets(row: ProtectionTripCase) {
        var run = ProtectionRun(periodS: 1)
        for _ in 0..<row.tripSampleAt1S { _ = row.step(&run, row.outside) }
        _ = row.step(&run, row.inside)
        #expect(run.state.pickups[row.function] == nil)
        for sample in 0..<row.tripSampleAt1S {
            let verdict = row.step(&run, row.outside)
            #expect(!verdict.isCeased, "tripped at sample \(sample) after the reset")
        }
        #expect(row.step(&run, row.outside).codes.contains(row.function.code))
    }

    @Test("voltage functions use the worst phase", arguments: Phase.allCases)
    func worstPhase(phase: Phase) throws {
        var run = ProtectionRun()
        var volts = PerPhase(repeating: 0.95)
        volts[phase] = 1.25
        let verdict = run.step(pu: volts)
        let trip = try #require(verdict.events.first { $0.code == .tripOV2 })
        #expect(trip.phase == phase)
        var low = ProtectionRun()
        var sag = PerPhase(repeating: 1.0)
        sag[phase] = 0.25  // below 0.30 pu no ride-through applies: UV2 is due on the first sample
        #expect(low.step(pu: sag).events.first { $0.code == .tripUV2 }?.phase == phase)
    }

    @Test("a trip message names the phase, the value, the limit and the time")
    func tripMessage() throws {
        var run = ProtectionRun(periodS: 1)
        _ = run.step(pu: ProtectionFixture.onePhase(.b, at: 1.15))
        let verdict = run.step(pu: ProtectionFixture.onePhase(.b, at: 1.15))
        let event = try #require(verdict.events.first { $0.code == .tripOV1 })
        for part in ["phase B", "1.15 pu", "1.1 pu", "clearing time 2 s", "t=1700000001s"] {
            #expect(event.message.contains(part), "\(part) missing from \(event.message)")
        }
    }

    @Test("a 50 Hz system scales the frequency pickups by 50/60")
    func fiftyHertz() throws {
        let settings = TripSettings.categoryII(nominalHz: 50)
        let expected: [(TripFunction, Double)] = [(.of2, 51.6667), (.of1, 51.0), (.uf1, 48.75), (.uf2, 47.0833)]
        for (function, hz) in expected {
            #expect(abs(settings[function].pickup - hz) < 1e-3, "\(function)")
            #expect(settings[function].clearingTimeS == TripSettings.categoryII()[function].clearingTimeS)
        }
        #expect(settings.ov1 == TripSettings.categoryII().ov1)
        try ProtectionMonitor(nominalHz: 50).validate()

        var run = ProtectionRun(ProtectionMonitor(nominalHz: 50))
        for _ in 0..<400 { #expect(run.step(hz: 50.0).isNormal) }
        var high = ProtectionRun(ProtectionMonitor(nominalHz: 50))
        #expect(high.step(hz: 51.7).codes.contains(.tripOF2))
        var sixty = ProtectionRun()
        #expect(sixty.step(hz: 50.0).codes.contains(.tripUF2), "a 60 Hz monitor must trip at 50 Hz")
    }
}
