/// The agent's own memory of the load that is not an EV (households, shops), per phase and time of day, for the
/// planner's forecast. It lives in the cycle state, which the agent caches, so it survives restarts.
///
/// The day is cut into 96 slots of 15 minutes (UTC: a daylight-saving change shifts the pattern by an hour for
/// the days the running mean needs to catch up). Every regulating cycle adds its measurement to the open slot;
/// when the slot closes, its mean is folded into the slot's running mean over the last week or so
/// (weight 1/n for the n-th day, at most 1/7).
public struct LoadHistory: Sendable, Hashable, Codable {
    public static let slotS = 900.0
    public static let slotsPerDay = 96

    /// Per slot and phase (index slot·3 + phase): mean kW and kvar, valid where `days[slot]` > 0.
    public private(set) var kw: [Double]
    public private(set) var kvar: [Double]
    public private(set) var days: [Int]
    /// The slot being measured: its absolute index (seconds / 900), sample count and sums.
    private var openSlot: Int?
    private var samples: Int
    private var sums: [Double]

    public init() {
        kw = Array(repeating: 0, count: Self.slotsPerDay * 3)
        kvar = kw
        days = Array(repeating: 0, count: Self.slotsPerDay)
        samples = 0
        sums = Array(repeating: 0, count: 6)
    }

    enum CodingKeys: String, CodingKey {
        case kw, kvar, days, openSlot = "open_slot", samples, sums
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        kw = try c.decode([Double].self, forKey: .kw)
        kvar = try c.decode([Double].self, forKey: .kvar)
        days = try c.decode([Int].self, forKey: .days)
        openSlot = try c.decodeIfPresent(Int.self, forKey: .openSlot)
        samples = try c.decode(Int.self, forKey: .samples)
        sums = try c.decode([Double].self, forKey: .sums)
        guard kw.count == Self.slotsPerDay * 3, kvar.count == kw.count, days.count == Self.slotsPerDay, sums.count == 6 else {
            throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath, debugDescription: "load history arrays have the wrong length"))
        }
    }

    static func slotOfDay(_ time: Timestamp) -> Int {
        let seconds = time.secondsSinceEpoch.truncatingRemainder(dividingBy: 86_400)
        let slot = Int(((seconds < 0 ? seconds + 86_400 : seconds) / slotS).rounded(.down))
        return min(max(slot, 0), slotsPerDay - 1)
    }

    /// Adds one measurement of the non-EV load per phase; non-finite values are skipped.
    public mutating func record(kw load: PerPhase<Double>, kvar reactive: PerPhase<Double>, at time: Timestamp) {
        guard load.values.allSatisfy(\.isFinite), reactive.values.allSatisfy(\.isFinite), time.secondsSinceEpoch.isFinite else { return }
        let absolute = Int((time.secondsSinceEpoch / Self.slotS).rounded(.down))
        if let open = openSlot, open != absolute { close() }
        openSlot = absolute
        for (p, phase) in Phase.allCases.enumerated() {
            sums[p] += load[phase]
            sums[3 + p] += reactive[phase]
        }
        samples += 1
    }

    private mutating func close() {
        guard let open = openSlot, samples > 0 else { return }
        let slot = ((open % Self.slotsPerDay) + Self.slotsPerDay) % Self.slotsPerDay
        let weight = 1 / Double(min(days[slot] + 1, 7))
        for p in 0..<3 {
            let meanKW = sums[p] / Double(samples), meanKvar = sums[3 + p] / Double(samples)
            kw[slot * 3 + p] = Self.centi(kw[slot * 3 + p] + (meanKW - kw[slot * 3 + p]) * weight)
            kvar[slot * 3 + p] = Self.centi(kvar[slot * 3 + p] + (meanKvar - kvar[slot * 3 + p]) * weight)
        }
        days[slot] = min(days[slot] + 1, 10_000)
        samples = 0
        sums = Array(repeating: 0, count: 6)
        openSlot = nil
    }

    /// Rounded to 0.01 (the meter's resolution): the history is cached every cycle, and short numbers keep it small.
    private static func centi(_ value: Double) -> Double { (value * 100).rounded() / 100 }

    /// The remembered load at `time`'s time of day, or nil when that slot has never been measured.
    public func load(at time: Timestamp) -> (kw: PerPhase<Double>, kvar: PerPhase<Double>)? {
        let slot = Self.slotOfDay(time)
        guard days[slot] > 0 else { return nil }
        return (PerPhase { kw[slot * 3 + Phase.allCases.firstIndex(of: $0)!] },
                PerPhase { kvar[slot * 3 + Phase.allCases.firstIndex(of: $0)!] })
    }

    /// The forecast the planner uses: the load measured now for the first step, then for each later step the
    /// same time of day from the history where it has that slot, and the load now (persistence) where not.
    public func forecast(now: Timestamp, kw nowKW: PerPhase<Double>, kvar nowKvar: PerPhase<Double>, steps: Int, stepS: Double)
        -> (kw: [PerPhase<Double>], kvar: [PerPhase<Double>], remembered: Int)
    {
        var outKW: [PerPhase<Double>] = [], outKvar: [PerPhase<Double>] = []
        var remembered = 0
        for t in 0..<steps {
            if t > 0, let known = load(at: now + (Double(t) + 0.5) * stepS) {
                outKW.append(known.kw)
                outKvar.append(known.kvar)
                remembered += 1
            } else {
                outKW.append(nowKW)
                outKvar.append(nowKvar)
            }
        }
        return (outKW, outKvar, remembered)
    }
}
