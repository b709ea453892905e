/// One EV as the horizon planner sees it: what it may draw or give, and the energy it needs by departure.
/// Energies are net kWh into the battery from the start of the plan (+ = charged).
public struct PlannedEV: Sendable, Hashable {
    public var id: String
    public var connection: PhaseConnection
    /// Most it may charge: its charger's rating and its own request, whichever is lower (kW, ≥ 0).
    public var maxChargeKW: Double
    /// Most it may discharge (kW, ≥ 0); 0 unless V2G is allowed for it now.
    public var maxDischargeKW: Double
    public var departure: Timestamp
    /// Energy it needs by departure (to its driver's target).
    public var neededKWh: Double
    /// Most energy it may take: the need, or up to full where the driver consents to charging past the target.
    public var mostKWh: Double
    /// Lowest net energy allowed at any time (≤ 0): how far discharge may take it before the SoC floor.
    public var floorKWh: Double
    /// Shallow-cycle discharge budget left, if the EV reports one.
    public var dischargeBudgetKWh: Double?

    public init(
        id: String, connection: PhaseConnection, maxChargeKW: Double, maxDischargeKW: Double = 0, departure: Timestamp,
        neededKWh: Double, mostKWh: Double? = nil, floorKWh: Double = 0, dischargeBudgetKWh: Double? = nil
    ) {
        self.id = id
        self.connection = connection
        self.maxChargeKW = maxChargeKW
        self.maxDischargeKW = maxDischargeKW
        self.departure = departure
        self.neededKWh = neededKWh
        self.mostKWh = mostKWh ?? neededKWh
        self.floorKWh = floorKWh
        self.dischargeBudgetKWh = dischargeBudgetKWh
    }
}

/// What the planner plans over: the EVs plugged in now, the forecast of everything else on each phase,
/// and the hard limits.
public struct HorizonProblem: Sendable {
    public var start: Timestamp
    public var stepS: Double
    public var evs: [PlannedEV]
    /// Forecast of the load that is not an EV, per step (its average), active and reactive, per phase.
    /// Shorter than the plan: the last value holds.
    public var baseKW: [PerPhase<Double>]
    public var baseKvar: [PerPhase<Double>]
    public var nominalPhaseVoltageV: Double
    /// Hard caps: current in each phase conductor and in the neutral (A), and the transformer's |S| (kVA).
    public var phaseLimitA: Double?
    public var neutralLimitA: Double?
    public var transformerLimitKVA: Double?
    /// The plan ends at the last departure, or this long after the start, whichever is sooner.
    public var horizonS: Double

    public init(
        start: Timestamp, stepS: Double, evs: [PlannedEV], baseKW: [PerPhase<Double>], baseKvar: [PerPhase<Double>]? = nil,
        nominalPhaseVoltageV: Double, phaseLimitA: Double? = nil, neutralLimitA: Double? = nil,
        transformerLimitKVA: Double? = nil, horizonS: Double = 86_400
    ) {
        self.start = start
        self.stepS = stepS
        self.evs = evs
        self.baseKW = baseKW
        self.baseKvar = baseKvar ?? baseKW.map { _ in PerPhase(repeating: 0) }
        self.nominalPhaseVoltageV = nominalPhaseVoltageV
        self.phaseLimitA = phaseLimitA
        self.neutralLimitA = neutralLimitA
        self.transformerLimitKVA = transformerLimitKVA
        self.horizonS = horizonS
    }

    /// Steps from `start` to the last departure (at most `horizonS`), for departures after `start`.
    public static func stepCount(start: Timestamp, departures: [Timestamp], stepS: Double, horizonS: Double) -> Int {
        let last = departures.map { $0 - start }.max() ?? 0
        guard last > 0, stepS > 0 else { return 0 }
        return Int((min(last, horizonS) / stepS).rounded(.up))
    }

    var stepCount: Int { Self.stepCount(start: start, departures: evs.map(\.departure), stepS: stepS, horizonS: horizonS) }
}

/// The plan: each EV's power in each step, with the neutral current it predicts.
public struct HorizonPlan: Sendable, Hashable {
    public enum Outcome: String, Sendable, Hashable, Codable {
        /// Every stage of the optimisation converged.
        case optimal
        /// A stage did not converge: the plan is the last stage that did, or each EV's flat need.
        case fallback
    }

    public var start: Timestamp
    public var stepS: Double
    public var evIDs: [String]
    /// Per EV, per step: its power while plugged in (kW; + charging). Empty past its departure.
    public var powerKW: [[Double]]
    /// Predicted neutral current per step (A), step average: its magnitude, and the phasor.
    public var neutralA: [Double]
    public var neutralPhasorA: [Phasor] = []
    /// Energy planned by departure (or by the horizon's end), and what is missing against the need.
    public var plannedKWh: [Double]
    public var shortfallKWh: [Double]
    /// EVs that cannot reach their target even at full power: planned at full power.
    public var unreachable: [Bool]
    public var outcome: Outcome
    /// Interior-point iterations over all stages, and the stages solved.
    public var iterations: Int
    public var solves: Int
    /// The stage that did not converge, when the outcome is a fallback ("energy", "peak", "quadratic").
    public var failedStage: String?

    public var peakNeutralA: Double { neutralA.max() ?? 0 }

    /// The plan's power for `id` at `time`, or nil when the plan does not cover it.
    public func powerKW(of id: String, at time: Timestamp) -> Double? {
        guard let i = evIDs.firstIndex(of: id), time >= start else { return nil }
        let t = Int(((time - start) / stepS).rounded(.down))
        return t < powerKW[i].count ? powerKW[i][t] : nil
    }

    /// The predicted neutral current at `time`, if covered.
    public func neutralA(at time: Timestamp) -> Double? {
        guard time >= start else { return nil }
        let t = Int(((time - start) / stepS).rounded(.down))
        return t < neutralA.count ? neutralA[t] : nil
    }

    /// The predicted neutral phasor at `time`, if covered.
    public func neutralPhasorA(at time: Timestamp) -> Phasor? {
        guard time >= start else { return nil }
        let t = Int(((time - start) / stepS).rounded(.down))
        return t < neutralPhasorA.count ? neutralPhasorA[t] : nil
    }
}
