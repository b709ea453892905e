public import Telemetry

/// A seeded, realistic 26-channel 1 Hz stream of one LV transformer: test data for the codec's tests, its
/// benchmark and the example CSV. The same seed gives the same stream on every platform.
///
/// Per phase: load current as a slow mean-reverting base, appliance steps (1–3 kW, 30 s–20 min) and 0.4 A of
/// second-to-second noise; voltage 230 V minus the drop on 0.08 Ω plus 0.15 V noise; kW and kvar from V, I and a
/// drifting power factor. Frequency 50 Hz with 2 mHz steps pulled back to nominal; temperatures slow; four
/// chargers whose setpoints step about once a minute (two-hour sessions; SoC missing while no EV is plugged in).
/// The meter misses about one read in 500 (all meter channels empty for that row).
public struct SyntheticFeeder: Sendable {
    /// The 26 channels, in row order: per-phase V, A, kW, kvar, the meter's totals and Hz, three temperatures,
    /// then kW and SoC of each charger.
    public static let channelNames: [String] = {
        typealias Names = TransformerChannels
        var names = Names.phaseRow
        names += [Names.totalKW, Names.totalKvar, Names.gridHz, Names.topOilC, Names.hotSpotC, Names.ambientC]
        for charger in 1...4 { names += [Names.charger(charger, .kilowatts), Names.charger(charger, .stateOfChargePercent)] }
        return names
    }()

    /// The channel specs of `channelNames` (all names are valid, so this cannot fail).
    public static let channels: [ChannelSpec] = channelNames.map { try! ChannelSpec(name: $0) }

    private var random: SplitMix64
    private var baseA: [Double] = [95, 70, 55]
    private var steps: [[(amps: Double, secondsLeft: Int)]] = [[], [], []]
    private var powerFactor: [Double] = [0.97, 0.96, 0.98]
    private var frequencyHz = 50.0
    private var topOilC = 48.0
    private var ambientC = 14.0
    private var chargerKW: [Double] = [7.2, 0, -5.0, 3.6]
    private var chargerSoC: [Double?] = [42.0, nil, 77.5, 18.3]

    public init(seed: UInt64) { random = SplitMix64(seed: seed) }

    /// The next row's values, in `channelNames` order (nil = missing sample).
    public mutating func nextRow() -> [Double?] {
        var volts = [Double](repeating: 0, count: 3), amps = volts, kw = volts, kvar = volts
        for phase in 0..<3 {
            // Slow base: mean-reverting toward its evening level with 0.15 A/s of wander.
            baseA[phase] += (([95.0, 70, 55])[phase] - baseA[phase]) * 0.002 + 0.15 * random.gaussian()
            if random.uniform() < 1.0 / 90 {  // an appliance switches on about every 90 s per phase
                steps[phase].append((amps: 4.3 + 8.7 * random.uniform(), secondsLeft: 30 + Int(random.uniform() * 1170)))
            }
            steps[phase] = steps[phase].compactMap { $0.secondsLeft > 1 ? ($0.amps, $0.secondsLeft - 1) : nil }
            amps[phase] = max(0, baseA[phase] + steps[phase].reduce(0) { $0 + $1.amps } + 0.4 * random.gaussian())
            volts[phase] = 231.5 - 0.08 * amps[phase] + 0.15 * random.gaussian()
            powerFactor[phase] = min(0.995, max(0.9, powerFactor[phase] + 0.0005 * random.gaussian()))
            let apparentKVA = volts[phase] * amps[phase] / 1000
            kw[phase] = apparentKVA * powerFactor[phase]
            kvar[phase] = apparentKVA * (1 - powerFactor[phase] * powerFactor[phase]).squareRoot()
        }
        frequencyHz += (50 - frequencyHz) * 0.05 + 0.002 * random.gaussian()
        ambientC += 0.0003 * random.gaussian() - 0.0002
        let loadPU = (kw.reduce(0, +) + chargerKW.reduce(0, +)) / 160
        topOilC += (ambientC + 45 * loadPU * loadPU - topOilC) / 1800
        let hotSpotC = topOilC + 20 * loadPU * loadPU
        stepChargers()

        let meterMissing = random.uniform() < 1.0 / 500
        var row: [Double?] = []
        for group in [volts, amps, kw, kvar] { row += group.map { meterMissing ? nil : $0 } }
        row += [kw.reduce(0, +), kvar.reduce(0, +), frequencyHz].map { meterMissing ? nil : $0 }
        row += [topOilC, hotSpotC, ambientC]
        for charger in 0..<4 {
            // A charger with no EV reports exactly 0 kW; while charging its meter shows ±20 W of ripple.
            let measuredKW = chargerSoC[charger] == nil ? 0 : chargerKW[charger] + 0.02 * random.gaussian()
            row += [measuredKW, chargerSoC[charger]]
        }
        return row
    }

    private mutating func stepChargers() {
        for charger in 0..<4 {
            if random.uniform() < 1.0 / 60 {  // the agent's setpoint moves about once a minute
                chargerKW[charger] = chargerSoC[charger] == nil ? 0 : ((-7.4 + 14.8 * random.uniform()) * 10).rounded() / 10
            }
            // Sessions last about two hours; a free charger gets its next EV within about half an hour.
            if random.uniform() < 1.0 / (chargerSoC[charger] == nil ? 1800 : 7200) {
                chargerSoC[charger] = chargerSoC[charger] == nil ? 10 + 60 * random.uniform() : nil
                if chargerSoC[charger] == nil { chargerKW[charger] = 0 }
            }
            if let soc = chargerSoC[charger] {
                chargerSoC[charger] = min(100, max(0, soc + chargerKW[charger] / 60 / 3600 * 100))  // 60 kWh packs
            }
        }
    }

    /// `count` consecutive batches of `seconds` rows each, quantized, with sequences from `firstSequence`.
    public mutating func batches(
        count: Int, seconds: Int = 60, agentID: String = "tx-017", startTimeMs: Int64 = 1_763_750_000_000,
        firstSequence: UInt64 = 1
    ) -> [TelemetryBatch] {
        Self.batches(count: count, seconds: seconds, channels: Self.channels, agentID: agentID,
                     startTimeMs: startTimeMs, firstSequence: firstSequence) { nextRow() }
    }

    /// Batches of rows from `next` (one value per channel, in order), quantized at each channel's quantum.
    static func batches(
        count: Int, seconds: Int, channels: [ChannelSpec], agentID: String, startTimeMs: Int64,
        firstSequence: UInt64, next: () -> [Double?]
    ) -> [TelemetryBatch] {
        (0..<count).map { index in
            var columns = [[Int64?]](repeating: [], count: channels.count)
            for _ in 0..<seconds {
                for (channel, value) in next().enumerated() {
                    columns[channel].append(value.flatMap { channels[channel].quantum.quantize($0) })
                }
            }
            // The generator's values are finite and small, so the batch is valid by construction.
            return try! TelemetryBatch(
                agentID: agentID, sequence: firstSequence + UInt64(index),
                startTimeMs: startTimeMs + Int64(index * seconds) * 1000, timing: .regular(intervalMs: 1000),
                channels: channels, columns: columns, rowCount: seconds)
        }
    }
}

/// SplitMix64 (Steele, Lea and Flood 2014): small, seeded, reproducible on every platform.
public struct SplitMix64: Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1), 53 bits.
    public mutating func uniform() -> Double { Double(next() >> 11) / Double(1 << 53) }

    /// Standard normal, approximated by the Irwin–Hall sum of 12 uniforms (no libm needed).
    public mutating func gaussian() -> Double { (0..<12).reduce(0) { sum, _ in sum + uniform() } - 6 }

    /// Uniform in 0..<bound (modulo bias is negligible for test bounds).
    public mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }

    /// True with `probability`.
    public mutating func chance(_ probability: Double) -> Bool { uniform() < probability }

    /// `count` random bytes.
    public mutating func bytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8(truncatingIfNeeded: next()) } }
}
