/// Deterministic test inputs: no clock, no system randomness, so a failure reproduces.
struct SampleData {
    private var state: UInt64

    init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }

    /// SplitMix64 (Steele et al. 2014): small and good enough for test data.
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniformly random bytes (incompressible).
    mutating func randomBytes(count: Int) -> [UInt8] {
        (0..<count).map { _ in UInt8(truncatingIfNeeded: next()) }
    }

    /// One meter record as text, with values wandering near nominal, like a telemetry sample.
    mutating func meterRecord(sequence: Int) -> [UInt8] {
        let phase = ["L1", "L2", "L3"][Int(next() % 3)]
        let volts = 2300 + Int(next() % 80) - 40
        let amps = Int(next() % 3200)
        let kilowatts = Int(next() % 2200) - 1100
        let text = "{\"agent\":\"tx-017\",\"seq\":\(sequence),\"phase\":\"\(phase)\",\"v\":\(volts / 10).\(volts % 10),"
            + "\"i\":\(amps / 100).\(amps % 100),\"p\":\(kilowatts),\"hz\":50.0\(next() % 10)}"
        return Array(text.utf8)
    }

    /// Telemetry-like bytes of exactly `count` bytes (compressible, not trivially so).
    mutating func telemetryBytes(count: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count + 128)
        var sequence = 0
        while bytes.count < count {
            bytes += meterRecord(sequence: sequence)
            sequence += 1
        }
        return Array(bytes.prefix(count))
    }
}
