import AgentKit
import Telemetry
#if canImport(Glibc)
import Glibc
#endif

/// One agent's 1 Hz rows on the agent's own channel list (`AgentChannels`, 4 chargers: 31 channels), with values
/// from `SyntheticFeeder` (same transformer, same chargers) plus the derived channels the agent adds.
struct AgentRows {
    static let channels = AgentChannels(chargerIDs: ["cp-1", "cp-2", "cp-3", "cp-4"])

    private var feeder: SyntheticFeeder
    private(set) var nextTimeMs: Int64

    /// Two days ago, on a whole minute: a run's thousands of batches stay in the past, inside the aggregator's clock window.
    static let defaultStartTimeMs: Int64 = {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let ms = Int64(now.tv_sec) * 1_000
        return ms - ms % 60_000 - 2 * 86_400_000
    }()

    init(seed: UInt64, startTimeMs: Int64 = defaultStartTimeMs) {
        feeder = SyntheticFeeder(seed: seed)
        nextTimeMs = startTimeMs
    }

    /// The next second's row, quantized, in `AgentChannels` order.
    mutating func nextSample() -> TelemetrySample {
        let row = feeder.nextRow()
        defer { nextTimeMs += 1000 }
        return TelemetrySample(timeMs: nextTimeMs, quanta: Self.channels.quantize(Self.agentValues(row)))
    }

    /// `seconds` rows as one batch with `sequence` (what the queue's seal would frame).
    mutating func batch(agentID: String, sequence: UInt64, seconds: Int = 60) -> TelemetryBatch {
        let specs = Self.channels.specs
        var columns = [[Int64?]](repeating: [], count: specs.count)
        let start = nextTimeMs
        for _ in 0..<seconds {
            for (column, cell) in nextSample().quanta.enumerated() { columns[column].append(cell) }
        }
        // The feeder's values are finite and small and the shape is fixed, so the batch is valid by construction.
        return try! TelemetryBatch(
            agentID: agentID, sequence: sequence, startTimeMs: start, timing: .regular(intervalMs: 1000),
            channels: specs, columns: columns, rowCount: seconds)
    }

    /// Maps the feeder's 26 values onto the agent's 31 channels: neutral current and VUF from the phase figures,
    /// EV total from the chargers, charger kvar 0 (unity power factor).
    static func agentValues(_ row: [Double?]) -> [Double?] {
        var values = Array(row[0..<12])  // phase_{a,b,c}_{v,a,kw,kvar}, same order in both lists
        values += [row[14], row[17], row[15], row[16]]  // grid_hz, ambient_c, top_oil_c, hot_spot_c
        if let ia = row[3], let ib = row[4], let ic = row[5] {
            // |Ia + Ib∠-120° + Ic∠120°| with currents in phase with their voltages.
            values.append((ia * ia + ib * ib + ic * ic - ia * ib - ib * ic - ic * ia).squareRoot())
        } else {
            values.append(nil)
        }
        if let va = row[0], let vb = row[1], let vc = row[2] {
            let mean = (va + vb + vc) / 3  // NEMA MG 1 approximation: largest deviation from the mean
            values.append(max(abs(va - mean), abs(vb - mean), abs(vc - mean)) / mean * 100)
        } else {
            values.append(nil)
        }
        let chargerKW = (0..<4).map { row[18 + 2 * $0] }
        values.append(chargerKW.reduce(0) { $0 + ($1 ?? 0) })
        for charger in 0..<4 {
            values += [chargerKW[charger], 0, row[19 + 2 * charger]]
        }
        return values
    }
}
