public import GridCore

/// What a run achieved, accumulated on every internal step from the physical truth (not the meter's view):
/// the numbers the agent is judged by against the uncoordinated baseline.
public struct ScenarioMetrics: Sendable, Hashable {
    /// EN 50160: VUF ≤ 2 % for 95 % of the 10-minute intervals.
    public static let vufLimitPercent = 2.0
    public static let vufIntervalS = 600.0
    /// The voltage band judged per phase, in per unit.
    public static let voltageBandPU = 0.95...1.05

    /// The net power series' window unless the caller chooses another.
    public static let defaultPowerIntervalS = 60.0

    public let start: Timestamp
    public private(set) var elapsedS = 0.0
    public private(set) var neutralCurrentPeakA = 0.0
    /// Seconds from the start to the end of the step that set the neutral peak (where to look in the logs).
    public private(set) var neutralCurrentPeakAtS: Double?
    public private(set) var vufMaxPercent = 0.0
    public private(set) var vufMaxAtS: Double?
    public private(set) var hotSpotPeakC = -Double.infinity
    public private(set) var topOilPeakC = -Double.infinity
    public private(set) var loadPeakPU = 0.0
    /// Seconds each phase spent outside `voltageBandPU`.
    public private(set) var secondsOutsideBand = PerPhase(repeating: 0.0)
    /// How many times each phase left `voltageBandPU`.
    public private(set) var bandExcursions = PerPhase(repeating: 0)
    /// 10-minute intervals completed, and those whose mean VUF stayed within `vufLimitPercent`.
    public var vufIntervals: Int { vufTenMinutes.count }
    public var vufIntervalsWithinLimit: Int { vufTenMinutes.means.filter { $0 <= Self.vufLimitPercent }.count }
    /// Sessions whose EV has left, in departure order.
    public private(set) var completedSessions: [SessionOutcome] = []
    /// Seconds during which at least one phase was outside `voltageBandPU`.
    public private(set) var secondsAnyPhaseOutsideBand = 0.0
    /// Setpoints whose reversion timer ran out before the next write, in the order they lapsed.
    public private(set) var lapses: [SetpointLapse] = []
    /// IEC 60076-7 loss of life accumulated over the run, in hours at the reference hot-spot.
    public private(set) var lossOfLifeHours = 0.0
    /// Net import and charger power over time (not part of the run report's `metrics` JSON).
    public private(set) var netPower: NetPowerSeries
    /// Fixed 1-minute and 10-minute means of the neutral current, and 10-minute means of the VUF (EN 50160).
    private(set) var neutralMinute = WindowMeans(windowS: 60)
    private(set) var neutralTenMinutes = WindowMeans(windowS: ScenarioMetrics.vufIntervalS)
    private(set) var vufTenMinutes = WindowMeans(windowS: ScenarioMetrics.vufIntervalS, keepsAll: true)

    private var neutralIntegralAS = 0.0
    private var vufIntegralPercentS = 0.0
    private var outside = PerPhase(repeating: false)

    public init(start: Timestamp, powerIntervalS: Double = Self.defaultPowerIntervalS) {
        self.start = start
        netPower = NetPowerSeries(intervalS: powerIntervalS)
    }

    public var neutralCurrentAverageA: Double { elapsedS > 0 ? neutralIntegralAS / elapsedS : 0 }
    /// The largest 1-minute and 10-minute mean neutral current; nil before the first window ends.
    public var neutralCurrentMax1MinA: Double? { neutralMinute.largest }
    public var neutralCurrentMax10MinA: Double? { neutralTenMinutes.largest }
    /// EN 50160 judges the 95th percentile of the 10-minute mean VUF values; nil before the first one ends.
    public var vufP95TenMinutePercent: Double? { vufTenMinutes.percentile(95) }
    public var vufMaxTenMinutePercent: Double? { vufTenMinutes.largest }
    public var vufAveragePercent: Double { elapsedS > 0 ? vufIntegralPercentS / elapsedS : 0 }
    /// Share of complete 10-minute intervals with mean VUF ≤ 2 %, in percent; nil before the first one ends.
    public var vufIntervalsWithinLimitPercent: Double? {
        vufIntervals > 0 ? Double(vufIntervalsWithinLimit) / Double(vufIntervals) * 100 : nil
    }

    /// Adds one step of `seconds` that ends at `time`, in which the feeder was in state `truth`.
    mutating func record(
        _ truth: FeederTruth, hotSpotC: Double, topOilC: Double, lossOfLifeHours: Double, overS seconds: Double,
        endingAt time: Timestamp
    ) {
        elapsedS += seconds
        self.lossOfLifeHours += lossOfLifeHours
        let offset = time - start
        neutralMinute.add(truth.neutralCurrentA, over: seconds, endingAt: offset)
        neutralTenMinutes.add(truth.neutralCurrentA, over: seconds, endingAt: offset)
        vufTenMinutes.add(truth.vufPercent, over: seconds, endingAt: offset)
        if Phase.allCases.contains(where: { !Self.voltageBandPU.contains(truth.voltagePU[$0]) }) {
            secondsAnyPhaseOutsideBand += seconds
        }
        neutralIntegralAS += truth.neutralCurrentA * seconds
        if truth.neutralCurrentA > neutralCurrentPeakA {
            neutralCurrentPeakA = truth.neutralCurrentA
            neutralCurrentPeakAtS = time - start
        }
        vufIntegralPercentS += truth.vufPercent * seconds
        if truth.vufPercent > vufMaxPercent {
            vufMaxPercent = truth.vufPercent
            vufMaxAtS = time - start
        }
        hotSpotPeakC = max(hotSpotPeakC, hotSpotC)
        topOilPeakC = max(topOilPeakC, topOilC)
        loadPeakPU = max(loadPeakPU, truth.loadPU)
        for phase in Phase.allCases {
            let isOutside = !Self.voltageBandPU.contains(truth.voltagePU[phase])
            if isOutside {
                secondsOutsideBand[phase] += seconds
                if !outside[phase] { bandExcursions[phase] += 1 }
            }
            outside[phase] = isOutside
        }
    }

    /// Adds one step's net import at the meter and charger total, both in kW.
    mutating func recordPower(netImportKW: Double, chargersKW: Double, overS seconds: Double, endingAt time: Timestamp) {
        netPower.add(netImportKW: netImportKW, chargersKW: chargersKW, overS: seconds, endingAt: time - start)
    }

    mutating func recordEnded(_ session: SessionOutcome) {
        completedSessions.append(session)
    }

    mutating func recordLapse(_ lapse: SetpointLapse) {
        lapses.append(lapse)
    }
}

/// A setpoint that lapsed: its reversion timer ran out before the agent wrote again.
public struct SetpointLapse: Sendable, Hashable {
    public var chargerID: String
    public var at: Timestamp
    /// What the charger went to (nil: back to charging at the EV's request).
    public var revertTo: Reversion?
}
