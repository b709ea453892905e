import GridCore

/// Shared builders for the protection tests (names prefixed so they never clash with other GridCore tests).
enum ProtectionFixture {
    static let nominalV = 240.0
    static let t0 = Timestamp(secondsSinceEpoch: 1_700_000_000)

    /// A healthy reading; `jitter` nudges the currents so consecutive samples are never identical (frozen check).
    static func reading(
        at time: Timestamp,
        pu: PerPhase<Double> = PerPhase(repeating: 1.0),
        hz: Double = 60,
        jitter: Int = 0
    ) -> MeterReading {
        let wiggle = Double(jitter % 97) * 0.01
        return MeterReading(
            time: time,
            voltageV: pu.map { $0 * nominalV },
            currentA: PerPhase(a: 100 + wiggle, b: 90 + wiggle, c: 80 + wiggle),
            activePowerKW: PerPhase(a: 22, b: 20, c: 18),
            reactivePowerKvar: PerPhase(a: 3, b: 2, c: 1),
            frequencyHz: hz
        )
    }

    /// Phase voltages all at 1 pu except `phase`.
    static func onePhase(_ phase: Phase, at pu: Double) -> PerPhase<Double> {
        var volts = PerPhase(repeating: 1.0)
        volts[phase] = pu
        return volts
    }
}

/// Drives a monitor cycle by cycle: cycle k is evaluated at t0 + k·period (no accumulated rounding).
struct ProtectionRun {
    var monitor: ProtectionMonitor
    var periodS: Double
    var state = ProtectionState()
    var cycle = 0

    init(_ monitor: ProtectionMonitor = ProtectionMonitor(), periodS: Double = 1) {
        self.monitor = monitor
        self.periodS = periodS
    }

    var now: Timestamp { ProtectionFixture.t0 + Double(cycle) * periodS }

    /// Evaluates `reading` (nil: no data) at the current cycle, then moves to the next cycle.
    mutating func step(_ reading: MeterReading?) -> ProtectionVerdict {
        let (next, verdict) = monitor.evaluate(
            state, reading: reading, nominalPhaseVoltageV: ProtectionFixture.nominalV, cyclePeriodS: periodS, now: now
        )
        state = next
        cycle += 1
        return verdict
    }

    /// A fresh reading taken now, with the given voltages and frequency.
    mutating func step(pu: PerPhase<Double> = PerPhase(repeating: 1.0), hz: Double = 60) -> ProtectionVerdict {
        step(ProtectionFixture.reading(at: now, pu: pu, hz: hz, jitter: cycle))
    }
}

/// SplitMix64 (Steele, Lea, Flood 2014): a small, seeded, reproducible generator for the randomized tests.
struct ProtectionSplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
