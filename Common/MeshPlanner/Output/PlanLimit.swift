/// Which limit stops a transformer, or the neighborhood, from going further (docs/neighborhood.md, "The result").
public enum PlanLimit: String, Sendable, Hashable, Codable, CaseIterable {
    /// The hot-spot forecast: more load would take it over the policy's limit within the horizon.
    case thermal
    /// Two phases' loads would be further apart than the phase balance limit.
    case phaseBalance = "phase_balance"
    /// The EVs themselves: ratings, energy above the minimum SoC, departure needs, V2G agreements (see `EVLimit`).
    case evFleet = "ev_fleet"
    /// A power goal cut back to keep the neighborhood's import under a cap.
    case importCap = "import_cap"
    /// No transformer could be planned (all stale or without thermal headroom).
    case noTransformers = "no_transformers"
}

/// Why a transformer is not in the plan. It gets no envelope and runs on its own policy.
public enum LeftOutReason: String, Sendable, Hashable, Codable, CaseIterable {
    /// Its report is older than `max_report_age_s`.
    case stale
    /// Its report is dated more than `max_report_age_s` ahead of now (a wrong clock).
    case futureReport = "future_report"
    /// Even no load breaks the hot-spot limit within the horizon: the agent refuses charging and discharge.
    case noThermalHeadroom = "no_thermal_headroom"
    /// The EVs that must charge now need more than the thermal limit allows; the agent's thermal limit wins.
    case evNeedOverThermal = "ev_need_over_thermal"
    /// The households alone (with no EV drawing) already load it past the thermal limit.
    case householdOverThermal = "household_over_thermal"
    /// Reverse flow uses more than the thermal limit and the EVs cannot absorb enough to bring it back.
    case reverseFlowOverThermal = "reverse_flow_over_thermal"
}

/// How a goal that yielded to another was resolved.
public enum ConflictResolution: String, Sendable, Hashable, Codable, CaseIterable {
    /// A power goal of lower precedence: not applied while the winner is in force.
    case overridden
    /// An import cap above the one in force (the lower cap implies it).
    case looserCap = "looser_cap"
    /// A power goal cut back to keep the import under the cap.
    case trimmedByCap = "trimmed_by_cap"
}

/// One goal that yielded to another at this instant.
public struct GoalConflict: Sendable, Hashable, Codable {
    public var goal: String
    public var yieldsTo: String
    public var resolution: ConflictResolution
    public var detail: String

    public init(goal: String, yieldsTo: String, resolution: ConflictResolution, detail: String) {
        self.goal = goal
        self.yieldsTo = yieldsTo
        self.resolution = resolution
        self.detail = detail
    }

    enum CodingKeys: String, CodingKey { case goal, yieldsTo = "yields_to", resolution, detail }
}
