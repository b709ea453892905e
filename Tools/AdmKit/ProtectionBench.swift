public import GridCore

/// The verdict column of the bench's output.
public enum BenchVerdict: String, Sendable, Hashable {
    case normal
    case safe
    /// Tripped: ceased until enter service.
    case cease
    case momentaryCessation = "momentary_cessation"

    init(_ verdict: ProtectionVerdict) {
        switch verdict {
        case .normal: self = .normal
        case .safeState: self = .safe
        case .ceaseToEnergize: self = .cease
        case .momentaryCessation: self = .momentaryCessation
        }
    }
}

/// One output row: what protection decided at one sample, and the codes it raised.
public struct ProtectionBenchOutput: Sendable, Hashable {
    public var timeS: Double
    public var verdict: BenchVerdict
    public var codes: [ProtectionCode]
}

/// A one-function test bench for the protection step, like `curve respond`: voltage and frequency traces in,
/// the step's verdict at every cycle out. It samples at t0 + k·p from the first row's time to the last row's,
/// one reading per sample, with the row in force at that time (each row holds until the next), and runs the
/// agent's own protection step on it.
public struct ProtectionBench: Sendable {
    /// The validated policy the bench runs (category and cycle period overrides applied).
    public let policy: ControlPolicy

    public init(policy: ControlPolicy) {
        self.policy = policy
    }

    /// The standing notice of functions whose clearing time the cycle period cannot meet, if any.
    public var clearingNotice: String? {
        policy.protectionMonitor.clearingNotice(cyclePeriodS: policy.cyclePeriodS)?.description
    }

    /// The verdict at every sample of `rows`.
    public func respond(to rows: [ProtectionBenchRow]) -> [ProtectionBenchOutput] {
        guard let first = rows.first, let last = rows.last else { return [] }
        let monitor = policy.protectionMonitor
        let periodS = policy.cyclePeriodS
        let nominalV = policy.transformer.nominalPhaseVoltageV
        // Sample k is at t0 + k·p, computed afresh each time so that rounding does not accumulate.
        let count = Int(((last.timeS - first.timeS) / periodS + 1e-9).rounded(.down)) + 1
        var state = ProtectionState()
        var previous: MeterReading?
        var row = 0
        var outputs: [ProtectionBenchOutput] = []
        outputs.reserveCapacity(count)
        for k in 0..<count {
            let t = first.timeS + Double(k) * periodS
            while row + 1 < rows.count, rows[row + 1].timeS <= t + 1e-9 { row += 1 }
            let now = Timestamp(secondsSinceEpoch: t)
            let reading: MeterReading?
            switch rows[row].meter {
            case .live: reading = Self.liveReading(rows[row], sample: k, at: now, nominalPhaseVoltageV: nominalV)
            case .frozen: reading = previous.map { var repeated = $0; repeated.time = now; return repeated }
            case .missing: reading = nil
            }
            if let reading { previous = reading }
            let (next, verdict) = monitor.evaluate(
                state, reading: reading, nominalPhaseVoltageV: nominalV, cyclePeriodS: periodS, now: now)
            state = next
            var codes: [ProtectionCode] = []
            for code in verdict.codes where !codes.contains(code) { codes.append(code) }
            outputs.append(ProtectionBenchOutput(timeS: t, verdict: BenchVerdict(verdict), codes: codes))
        }
        return outputs
    }

    /// Parses `csv` (named `fileName` in errors), runs the bench and returns the output CSV.
    public func respond(csv: String, fileName: String) throws(ProtectionBenchError) -> String {
        ProtectionBenchCSV.format(respond(to: try ProtectionBenchCSV.parse(csv, fileName: fileName)))
    }

    /// A meter reading of the row's voltages and frequency whose currents move from sample to sample as a loaded
    /// feeder's do, so that the frozen-meter check only fires on `frozen` rows.
    static func liveReading(_ row: ProtectionBenchRow, sample k: Int, at time: Timestamp, nominalPhaseVoltageV: Double) -> MeterReading {
        let amps = PerPhase(a: 40 + 0.37 * Double(k % 11), b: 35 + 0.29 * Double(k % 13), c: 30 + 0.23 * Double(k % 7))
        let volts = row.voltagePU.map { $0 * nominalPhaseVoltageV }
        let kw = PerPhase<Double>({ phase in volts[phase] * amps[phase] * 0.95 / 1000 })
        let kvar = PerPhase<Double>({ phase in volts[phase] * amps[phase] * 0.31 / 1000 })
        return MeterReading(time: time, voltageV: volts, currentA: amps, activePowerKW: kw, reactivePowerKvar: kvar,
                            frequencyHz: row.frequencyHz)
    }
}
