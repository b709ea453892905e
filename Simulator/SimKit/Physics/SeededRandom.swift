#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// SplitMix64 (Steele, Lea & Flood 2014): a small, fully specified generator, so the same seed gives the
/// same numbers on every platform and Swift version (the standard library's `random(in:using:)` is not specified).
struct SeededRandom: Sendable {
    private var state: UInt64

    init(seed: UInt64, stream: UInt64) {
        state = seed ^ (stream &* 0x9E37_79B9_7F4A_7C15)
        _ = next()
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1), 53 bits.
    mutating func uniform() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// Standard normal (Box–Muller), clipped to ±3 so one draw never makes a physically absurd load.
    mutating func gaussian() -> Double {
        let u1 = max(uniform(), 0x1p-53)
        let u2 = uniform()
        let z = (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
        return min(max(z, -3), 3)
    }
}

/// Noise as a pure function of time: a fresh gaussian sample at every multiple of `intervalS`, linear in between.
/// Being counter-based, it does not depend on how the simulation is stepped.
struct SeededNoise: Sendable, Hashable {
    var seed: UInt64
    var stream: UInt64
    var intervalS: Double

    func sample(_ index: Int64) -> Double {
        var draw = SeededRandom(seed: seed ^ (UInt64(bitPattern: index) &* 0xD1B5_4A32_D192_ED03), stream: stream)
        return draw.gaussian()
    }

    /// The noise at `seconds` since the epoch.
    func value(atS seconds: Double) -> Double {
        let position = seconds / intervalS
        let floorPosition = position.rounded(.down)
        let index = Int64(floorPosition)
        let fraction = position - floorPosition
        let low = sample(index)
        return fraction == 0 ? low : low + (sample(index + 1) - low) * fraction
    }
}
