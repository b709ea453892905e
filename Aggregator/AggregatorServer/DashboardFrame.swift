/// One picture of the neighborhood, as the operator dashboard draws it (docs/dashboard.md): sent as one server-sent
/// event every period. Keys are snake_case on the wire (`ResponseJSON`); times are ms since the epoch, powers kW
/// (+ = drawn from the grid, or charging), temperatures °C. A value the source does not give is absent, never 0.
public struct DashboardFrame: Sendable, Hashable, Codable {
    public var timeMs: Int64
    /// The band the voltages are judged against, and where it comes from.
    public var voltageBand: VoltageBand
    public var transformers: [Transformer]
    /// Goals planned against achieved; nil until a planner is connected or while it has no plan.
    public var plan: DashboardPlanSummary?
    public var rollouts: [RolloutView]
    public var totals: Totals
    /// This frame's figures for the charts (what a new stream's `history` holds, one per frame).
    public var point: DashboardPoint?

    public struct VoltageBand: Sendable, Hashable, Codable {
        public var nominalV: Double
        public var lowPerUnit: Double
        public var highPerUnit: Double
        /// Human words for the band's origin, shown beside it (e.g. "nominal 230 V ± 10 %").
        public var source: String
    }

    public struct Transformer: Sendable, Hashable, Codable {
        public var id: String
        /// `state` (the agent's state report, every ~2 s) or `telemetry` (its newest uploaded samples).
        public var source: Source
        /// Seconds since the data was measured (state) or received (telemetry), on the aggregator's clock.
        public var ageS: Double
        /// Older than the settings' `staleAfterS`: drawn greyed out.
        public var stale: Bool
        public var ratedKVA: Double?
        public var phases: [PhaseView]
        /// Σ|S| over the phases against the nameplate, in %.
        public var loadingPercent: Double?
        public var importKW: Double
        /// |Ia + Ib + Ic|, in A.
        public var neutralA: Double?
        /// Voltage unbalance factor |V2|/|V1| × 100.
        public var vufPercent: Double?
        /// Every phase voltage inside `voltageBand`.
        public var voltageInBand: Bool
        public var thermal: Thermal?
        public var evs: [EVView]
        /// The EV fleet's total power (+ = charging), in kW.
        public var evKW: Double?
        /// The signed envelope the agent is being handed now; nil: it runs on its own policy.
        public var envelope: EnvelopeView?
    }

    public enum Source: String, Sendable, Hashable, Codable {
        case state, telemetry
    }

    public struct PhaseView: Sendable, Hashable, Codable {
        public var phase: String
        public var activePowerKW: Double?
        public var reactivePowerKvar: Double?
        public var voltageV: Double?
        public var voltagePerUnit: Double?
        public var currentA: Double?
        /// This phase's |S| against a third of the nameplate, in %.
        public var loadingPercent: Double?
    }

    public struct Thermal: Sendable, Hashable, Codable {
        public var topOilC: Double?
        public var hotSpotC: Double
        /// The policy's hot-spot limit; from telemetry, the default limit (`limitAssumed`).
        public var hotSpotLimitC: Double
        public var limitAssumed: Bool
        public var ambientC: Double?
        /// Limit − hot-spot, in K (negative: over the limit).
        public var headroomK: Double
    }

    public struct EVView: Sendable, Hashable, Codable {
        public var charger: String
        /// "A", "B", "C" or "ABC"; nil from telemetry, which does not carry the wiring.
        public var connection: String?
        public var powerKW: Double
        public var online: Bool
        /// nil: no EV plugged in (or, from telemetry, no SoC reported).
        public var socPercent: Double?
        public var energyNeededKWh: Double?
        public var departureMs: Int64?
        public var v2gAgreed: Bool?

        // Spelled out: the snake_case conversion would split "KWh" into "k_wh".
        enum CodingKeys: String, CodingKey {
            case charger, connection, powerKW = "power_kw", online, socPercent = "soc_percent"
            case energyNeededKWh = "energy_needed_kwh", departureMs = "departure_ms", v2gAgreed = "v2g_agreed"
        }
    }

    public struct EnvelopeView: Sendable, Hashable, Codable {
        public var sequence: Int
        public var validUntilMs: Int64
        public var phases: [Bounds]
        public var reactiveBiasKvar: Double

        public struct Bounds: Sendable, Hashable, Codable {
            public var phase: String
            public var minKW: Double
            public var maxKW: Double
        }
    }

    public struct RolloutView: Sendable, Hashable, Codable {
        public var id: Int64
        public var version: Int
        public var state: String
        /// 0 the canary, 1… the waves; `stages` in all.
        public var stage: Int
        public var stages: Int
        public var pending: Int
        public var applied: Int
        public var rejected: Int
        public var reverted: Int
        public var unhealthy: Int
        public var haltReasons: [String]
        public var updatedAtMs: Int64
    }

    public struct Totals: Sendable, Hashable, Codable {
        public var transformers: Int
        public var stale: Int
        public var importKW: Double
        public var evKW: Double
        public var evsPlugged: Int
    }
}

/// What a planner pass meant to do and what the fleet did: the dashboard's "planned against achieved". The planner
/// hands one over through `DashboardSources.plan`; every figure is optional, so a partial view still draws.
public struct DashboardPlanSummary: Sendable, Hashable, Codable {
    /// When the pass ran.
    public var timeMs: Int64
    public var goals: [Goal]
    public var transformers: [TransformerPlan]

    public init(timeMs: Int64, goals: [Goal], transformers: [TransformerPlan]) {
        self.timeMs = timeMs
        self.goals = goals
        self.transformers = transformers
    }

    public struct Goal: Sendable, Hashable, Codable {
        public var id: String
        /// The goal's kind in the goal API's words (e.g. `discharge`, `absorb`, `import_cap`).
        public var kind: String
        public var targetKW: Double?
        public var plannedKW: Double?
        public var achievedKW: Double?
        public var shortfallKW: Double?
        public var met: Bool?
        /// Which limit stopped the plan short.
        public var reason: String?

        public init(
            id: String, kind: String, targetKW: Double? = nil, plannedKW: Double? = nil, achievedKW: Double? = nil,
            shortfallKW: Double? = nil, met: Bool? = nil, reason: String? = nil
        ) {
            (self.id, self.kind, self.targetKW, self.plannedKW, self.achievedKW) = (id, kind, targetKW, plannedKW, achievedKW)
            (self.shortfallKW, self.met, self.reason) = (shortfallKW, met, reason)
        }
    }

    public struct TransformerPlan: Sendable, Hashable, Codable {
        public var id: String
        public var plannedKW: Double?
        public var achievedKW: Double?
        public var phases: [PhasePlan]

        public init(id: String, plannedKW: Double? = nil, achievedKW: Double? = nil, phases: [PhasePlan] = []) {
            (self.id, self.plannedKW, self.achievedKW, self.phases) = (id, plannedKW, achievedKW, phases)
        }
    }

    public struct PhasePlan: Sendable, Hashable, Codable {
        public var phase: String
        public var plannedKW: Double?
        public var achievedKW: Double?

        public init(phase: String, plannedKW: Double? = nil, achievedKW: Double? = nil) {
            (self.phase, self.plannedKW, self.achievedKW) = (phase, plannedKW, achievedKW)
        }
    }
}
