import GridCore

/// A meter's reading jitter: ±0.05 % on every channel (about one 0.1 V step on 230 V), ±2 mHz on frequency, drawn from the scenario
/// seed and the time, so a run stays reproducible. Real meters never repeat every channel for seconds on end, and
/// the agent's frozen-data check (docs/protection.md) relies on that; a noise-free simulator trips it on quiet
/// stretches of the evening.
struct MeterNoise {
    let seed: UInt64
    static let relative = 0.0005
    static let frequencyHz = 0.002

    func apply(to meter: MeterReading) -> MeterReading {
        var noisy = meter
        var state = seed ^ UInt64(bitPattern: Int64((meter.time.secondsSinceEpoch * 1000).rounded()))
        func unit() -> Double {  // SplitMix64 → [-1, 1)
            state &+= 0x9e37_79b9_7f4a_7c15
            var z = state
            z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
            z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
            z ^= z >> 31
            return Double(z >> 11) / Double(1 << 52) - 1
        }
        func jitter(_ values: PerPhase<Double>) -> PerPhase<Double> { values.map { $0 * (1 + Self.relative * unit()) } }
        noisy.voltageV = jitter(meter.voltageV)
        noisy.currentA = jitter(meter.currentA)
        noisy.activePowerKW = jitter(meter.activePowerKW)
        noisy.reactivePowerKvar = jitter(meter.reactivePowerKvar)
        noisy.frequencyHz = meter.frequencyHz + Self.frequencyHz * unit()
        return noisy
    }
}
