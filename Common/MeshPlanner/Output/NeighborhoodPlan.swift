public import GridCore

/// One planning pass's result (docs/neighborhood.md, "The result"): what each transformer's envelope should be,
/// how far the goal is met, and why not further.
public struct NeighborhoodPlan: Sendable, Hashable, Codable {
    public var time: Timestamp
    public var horizonMinutes: Double
    /// Which way the fleet moves: `none` when no goal needs an envelope (every agent runs on its own policy).
    public var pass: Pass
    /// `exact`: each phase's envelope is [x, x], the planned power (a power goal). `ceiling`: [most discharge, x]
    /// (an import cap alone: the fleet may draw less). nil with no pass.
    public var envelopeShape: EnvelopeShape?
    /// Σ_i P_i² / h_i over the planned transformers, in kW (0 with no pass).
    public var objectiveKW: Double
    /// λ of the optimality conditions: every transformer away from its limits plans P_i = λ·h_i.
    public var multiplier: Double
    public var goal: GoalOutcome?
    public var importCap: CapOutcome?
    public var conflicts: [GoalConflict]
    public var transformers: [TransformerAllocation]
    public var leftOut: [LeftOutTransformer]
    public var totals: Totals

    public enum Pass: String, Sendable, Hashable, Codable { case none, absorb, discharge }
    public enum EnvelopeShape: String, Sendable, Hashable, Codable { case exact, ceiling }

    public struct Totals: Sendable, Hashable, Codable {
        /// Σ of the planned transformers' household load (meter less chargers), in kW.
        public var householdKW: Double
        /// Σ of the planned EV powers (+ = charging); nil with no pass.
        public var evPlannedKW: Double?
        /// The least and most the planned EV fleet could do in this pass, in kW.
        public var evRangeKW: KilowattInterval?
        /// The neighborhood's import with the plan (the planned transformers, and the left-out ones at their last
        /// reported load); nil with no pass.
        public var importKW: Double?
        /// What the left-out transformers last reported drawing, in kW.
        public var leftOutImportKW: Double

        enum CodingKeys: String, CodingKey {
            case householdKW = "household_kw", evPlannedKW = "ev_planned_kw", evRangeKW = "ev_range_kw"
            case importKW = "import_kw", leftOutImportKW = "left_out_import_kw"
        }
    }

    enum CodingKeys: String, CodingKey {
        case time, horizonMinutes = "horizon_min", pass, envelopeShape = "envelope_shape", objectiveKW = "objective_kw"
        case multiplier, goal, importCap = "import_cap", conflicts, transformers, leftOut = "left_out", totals
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        time = try c.decodeTime(.time)
        horizonMinutes = try c.decode(Double.self, forKey: .horizonMinutes)
        pass = try c.decode(Pass.self, forKey: .pass)
        envelopeShape = try c.decodeIfPresent(EnvelopeShape.self, forKey: .envelopeShape)
        objectiveKW = try c.decode(Double.self, forKey: .objectiveKW)
        multiplier = try c.decode(Double.self, forKey: .multiplier)
        goal = try c.decodeIfPresent(GoalOutcome.self, forKey: .goal)
        importCap = try c.decodeIfPresent(CapOutcome.self, forKey: .importCap)
        conflicts = try c.decode([GoalConflict].self, forKey: .conflicts)
        transformers = try c.decode([TransformerAllocation].self, forKey: .transformers)
        leftOut = try c.decode([LeftOutTransformer].self, forKey: .leftOut)
        totals = try c.decode(Totals.self, forKey: .totals)
    }

    init(
        time: Timestamp, horizonMinutes: Double, pass: Pass, envelopeShape: EnvelopeShape?, objectiveKW: Double,
        multiplier: Double, goal: GoalOutcome?, importCap: CapOutcome?, conflicts: [GoalConflict],
        transformers: [TransformerAllocation], leftOut: [LeftOutTransformer], totals: Totals
    ) {
        self.time = time
        self.horizonMinutes = horizonMinutes
        self.pass = pass
        self.envelopeShape = envelopeShape
        self.objectiveKW = objectiveKW
        self.multiplier = multiplier
        self.goal = goal
        self.importCap = importCap
        self.conflicts = conflicts
        self.transformers = transformers
        self.leftOut = leftOut
        self.totals = totals
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeTime(time, forKey: .time)
        try c.encode(horizonMinutes, forKey: .horizonMinutes)
        try c.encode(pass, forKey: .pass)
        try c.encodeIfPresent(envelopeShape, forKey: .envelopeShape)
        try c.encode(objectiveKW, forKey: .objectiveKW)
        try c.encode(multiplier, forKey: .multiplier)
        try c.encodeIfPresent(goal, forKey: .goal)
        try c.encodeIfPresent(importCap, forKey: .importCap)
        try c.encode(conflicts, forKey: .conflicts)
        try c.encode(transformers, forKey: .transformers)
        try c.encode(leftOut, forKey: .leftOut)
        try c.encode(totals, forKey: .totals)
    }
}

/// How far the power goal in force is met.
public struct GoalOutcome: Sendable, Hashable, Codable {
    public var goal: String
    public var kind: NeighborhoodGoal.Kind
    /// The goal's EV fleet target now (+ = charging), in kW.
    public var targetKW: Double
    /// The fleet total the plan sets, in kW.
    public var plannedKW: Double
    /// |target − planned|, in kW; 0 exactly when the limits allow the target.
    public var shortfallKW: Double
    public var met: Bool
    /// Which limit stopped the plan short (nil when met).
    public var reason: PlanLimit?
    /// How many transformers each limit held at its bound, when short.
    public var binding: [BindingCount]

    enum CodingKeys: String, CodingKey {
        case goal, kind, targetKW = "target_kw", plannedKW = "planned_kw", shortfallKW = "shortfall_kw", met, reason, binding
    }
}

/// How the import cap in force fares.
public struct CapOutcome: Sendable, Hashable, Codable {
    public var goal: String
    public var limitKW: Double
    /// The import with the plan; when the cap does not bind, the most the transformers could draw within their limits.
    public var importKW: Double
    /// True when the fleet could break the cap without an envelope, so the plan sets ceilings or trims the target.
    public var binding: Bool
    public var shortfallKW: Double
    public var met: Bool
    public var reason: PlanLimit?

    enum CodingKeys: String, CodingKey {
        case goal, limitKW = "limit_kw", importKW = "import_kw", binding, shortfallKW = "shortfall_kw", met, reason
    }
}

/// A limit and how many transformers it holds at their bound.
public struct BindingCount: Sendable, Hashable, Codable {
    public var limit: PlanLimit
    public var transformers: Int
}

/// A transformer outside this pass; its agent runs on its own policy.
public struct LeftOutTransformer: Sendable, Hashable, Codable {
    public var id: String
    public var reason: LeftOutReason
    public var detail: String
    /// Its last reported import (Σ of the meter's P), counted against an import cap.
    public var importKW: Double

    enum CodingKeys: String, CodingKey { case id, reason, detail, importKW = "import_kw" }
}
