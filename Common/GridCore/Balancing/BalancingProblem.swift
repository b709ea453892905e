/// One charger as seen by phase balancing (step 5 of the control cycle). + kW charges the EV (load), − kW discharges it.
public struct BalancingCharger: Sendable, Hashable {
    /// Stable charger identifier (only carried through; the solver never looks it up).
    public var id: String
    public var connection: PhaseConnection
    /// Lowest allowed active power after steps 1–4 (kW, may be negative for discharge).
    public var minKW: Double
    /// Highest allowed active power after steps 1–4 (kW).
    public var maxKW: Double
    /// What the EV wants (kW); the solver stays as close to it as the neutral allows.
    public var requestKW: Double
    /// How much a kW of deviation from the request costs for this EV (> 0).
    public var weight: Double

    public init(id: String, connection: PhaseConnection, minKW: Double, maxKW: Double, requestKW: Double, weight: Double = 1) {
        self.id = id
        self.connection = connection
        self.minKW = minKW
        self.maxKW = maxKW
        self.requestKW = requestKW
        self.weight = weight
    }

    /// True when the data can be optimised over; otherwise the charger is held at [0, 0] (stop, never reverse).
    public var isUsable: Bool {
        minKW.isFinite && maxKW.isFinite && requestKW.isFinite && weight.isFinite && minKW <= maxKW && weight > 0
    }
}

/// Step 5 input: minimise neutralWeight·|Σ base + Σ aᵢPᵢ|² + Σ wᵢ(Pᵢ − rᵢ)² within boxes and limits.
public struct BalancingProblem: Sendable {
    public var chargers: [BalancingCharger]
    /// Transformer phase currents without the chargers (households etc.), in amps.
    public var baseCurrentA: PerPhase<Phasor>
    /// Current added on each phase per kW drawn on it (≈ 1000/|V| at the voltage's angle).
    public var ampsPerKW: PerPhase<Phasor>
    /// Weight of |I_neutral|² (A⁻²) against the EVs' squared deviations; < 0 or non-finite is treated as 0.
    public var neutralWeight: Double
    /// Optional per-phase limits on Σ share·P of the chargers (kW).
    public var phaseLimitsKW: PerPhase<ClosedRange<Double>>?
    /// Optional limits on Σ P of all chargers (kW).
    public var totalLimitsKW: ClosedRange<Double>?

    public init(
        chargers: [BalancingCharger],
        baseCurrentA: PerPhase<Phasor>,
        ampsPerKW: PerPhase<Phasor>,
        neutralWeight: Double,
        phaseLimitsKW: PerPhase<ClosedRange<Double>>? = nil,
        totalLimitsKW: ClosedRange<Double>? = nil
    ) {
        self.chargers = chargers
        self.baseCurrentA = baseCurrentA
        self.ampsPerKW = ampsPerKW
        self.neutralWeight = neutralWeight
        self.phaseLimitsKW = phaseLimitsKW
        self.totalLimitsKW = totalLimitsKW
    }

    /// Current per kW for each phase at nominal angles: 1000/V at 0°, −120°, +120°.
    public static func nominalAmpsPerKW(voltageV: Double) -> PerPhase<Phasor> {
        PerPhase { Phasor(magnitude: 1000 / voltageV, angleDegrees: $0.nominalAngleDegrees) }
    }
}

/// A general limit of the problem (not a charger's own box).
public enum BalancingLimit: Sendable, Hashable, CustomStringConvertible {
    case phase(Phase)
    case total

    public var description: String {
        switch self {
        case .phase(let p): "phase \(p)"
        case .total: "total"
        }
    }
}

/// A general limit that the chargers' own boxes could not meet, moved to the nearest achievable value.
public struct BalancingRelaxation: Sendable, Hashable {
    public var limit: BalancingLimit
    public var requestedKW: ClosedRange<Double>
    public var appliedKW: ClosedRange<Double>
}

/// Whether the plan is the certified optimum or the safe fallback.
public enum BalancingOutcome: Sendable, Hashable {
    /// The KKT conditions hold at the returned plan.
    case optimal
    /// Numerical trouble: the plan is the clamped requests moved onto the (relaxed) limits.
    case fallback
}

/// Step 5 output.
public struct BalancingSolution: Sendable {
    /// One setpoint per charger, in the problem's order; each inside its charger's box exactly.
    public var setpointsKW: [Double]
    /// |Ia + Ib + Ic| of the plan, in amps.
    public var neutralCurrentA: Double
    /// J(P) of the plan.
    public var objective: Double
    public var relaxations: [BalancingRelaxation]
    /// Active-set iterations used.
    public var iterations: Int
    public var outcome: BalancingOutcome
    /// KKT multipliers of the general limits ([A, B, C, total]; > 0 pushes up from a lower limit, < 0 down from an upper one).
    public var limitMultipliers: [Double]
}
