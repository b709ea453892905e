public import GridCore

/// One transformer's part of the plan: its envelope and the figures behind it (+ = charging, kW).
public struct TransformerAllocation: Sendable, Hashable, Codable {
    /// The agent's id.
    public var id: String
    /// How its phases move in this pass; nil with no pass.
    public var mode: FleetMode?
    /// The planned EV fleet total P_i; nil with no pass.
    public var plannedKW: Double?
    /// The planned EV power per phase; nil with no pass.
    public var phaseKW: PerPhase<Double>?
    /// The envelope to sign, per phase; nil with no pass (no envelope: the agent is autonomous).
    public var envelopeKW: PerPhase<KilowattInterval>?
    /// Reactive bias for every charger, per unit of its kVA. The planner dispatches active power only, so 0.
    public var reactiveBiasPU: Double
    /// The least and most P_i in this pass's mode, thermal limit included; nil with no pass.
    public var rangeKW: KilowattInterval?
    /// P_i that keeps |S| within the thermal limit: (b + P)² + Q² ≤ S_allowed².
    public var thermalKW: KilowattInterval
    /// h_i: thermal room from zero EV power in the pass's direction, in kW (the objective's weight).
    public var headroomKW: Double
    /// P_i / h_i in the pass's direction, in percent; nil with no pass.
    public var headroomUsedPercent: Double?
    /// The household load per phase: the meter's P less what the online chargers draw.
    public var householdKW: PerPhase<Double>
    /// What the EVs that must charge now to leave on time draw at least.
    public var evNeedKW: Double
    /// The largest K = |S|/S_rated that keeps the forecast hot-spot under the aim (limit − margin).
    public var maxLoadPU: Double
    /// The forecast peak hot-spot over the horizon at the planned load (at the reported load with no pass).
    public var forecastHotSpotC: Double
    /// The hot-spot the plan stays under: the policy's limit less its margin.
    public var hotSpotAimC: Double
    /// The limit that holds P_i at its bound in the pass's direction; nil when it has room left.
    public var limit: PlanLimit?
    /// When the EVs bind: what holds them back most (in kW of their ratings).
    public var evLimit: EVLimit?
    /// EVs whose need cannot be met even at full power from now (planned at their rating).
    public var evNeedsUnreachable: Int

    enum CodingKeys: String, CodingKey {
        case id, mode, plannedKW = "planned_kw", phaseKW = "phase_kw", envelopeKW = "envelope_kw"
        case reactiveBiasPU = "q_bias_pu", rangeKW = "range_kw", thermalKW = "thermal_kw", headroomKW = "headroom_kw"
        case headroomUsedPercent = "headroom_used_pct", householdKW = "household_kw", evNeedKW = "ev_need_kw"
        case maxLoadPU = "max_load_pu", forecastHotSpotC = "forecast_hot_spot_c", hotSpotAimC = "hot_spot_aim_c"
        case limit, evLimit = "ev_limit", evNeedsUnreachable = "ev_needs_unreachable"
    }

    /// The envelope for this agent (for the aggregator to sign): the phase bounds only. A transformer-level bound is left
    /// out on purpose: the agent reads a fleet bound ≤ 0 as "no charger charges", which would stop an EV that must
    /// charge on one phase while the other phases discharge more. nil with no pass.
    public func envelope(sequence: Int, validUntil: Timestamp) -> Envelope? {
        guard let envelopeKW else { return nil }
        return Envelope(
            agentID: id, sequence: sequence, validUntil: validUntil, transformerKW: nil,
            phaseKW: envelopeKW.map(\.range), reactiveBiasPU: reactiveBiasPU)
    }
}
