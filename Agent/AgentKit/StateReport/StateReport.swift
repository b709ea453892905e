public import GridCore
import FoundationEssentials

/// The small document the agent posts about every 2 s so that the aggregator plans on live state
/// (`POST /v1/agents/{id}/state`, docs/envelopes.md). Built from one cycle's inputs and outcome by a pure function;
/// a field that is unknown this cycle (no meter reading, no thermal estimate, no EV) is left out, never guessed.
public struct StateReport: Sendable, Hashable, Encodable {
    public struct PhaseState: Sendable, Hashable, Codable {
        public var activePowerKW: Double?
        public var reactivePowerKvar: Double?
        public var voltageV: Double?
        public var currentA: Double?

        enum CodingKeys: String, CodingKey {
            case activePowerKW = "p_kw", reactivePowerKvar = "q_kvar", voltageV = "v_v", currentA = "i_a"
        }
    }

    public struct Thermal: Sendable, Hashable, Encodable {
        public var topOilC: Double?
        public var hotSpotC: Double?
        /// The peak hot-spot the thermal step forecasts over its horizon at the present load.
        public var forecastHotSpotC: Double?
        public var hotSpotLimitC: Double
        public var loadKVA: Double?
        /// The load the thermal step allows over its horizon without passing the hot-spot limit.
        public var allowedKVA: Double?
        /// allowed − load: what the transformer can still take (negative: it must shed).
        public var headroomKVA: Double?

        enum CodingKeys: String, CodingKey {
            case topOilC = "top_oil_c", hotSpotC = "hot_spot_c", forecastHotSpotC = "forecast_hot_spot_c"
            case hotSpotLimitC = "hot_spot_limit_c", loadKVA = "load_kva", allowedKVA = "allowed_kva", headroomKVA = "headroom_kva"
        }
    }

    public struct Charger: Sendable, Hashable, Encodable {
        public var id: String
        public var phase: String
        public var online: Bool
        /// Measured active power, + = charging.
        public var activePowerKW: Double?
        /// What the cycle commanded.
        public var setpointKW: Double?
        public var socPercent: Double?
        /// Energy above the policy's minimum SoC (0 when at or below it); absent with no EV or an implausible SoC.
        public var energyAvailableKWh: Double?
        public var energyNeededKWh: Double?
        public var departure: String?
        /// Whether the driver agreed to discharge.
        public var dischargeAllowed: Bool?

        enum CodingKeys: String, CodingKey {
            case id, phase, online, activePowerKW = "p_kw", setpointKW = "setpoint_kw", socPercent = "soc_pct"
            case energyAvailableKWh = "energy_available_kwh", energyNeededKWh = "energy_needed_kwh", departure
            case dischargeAllowed = "discharge_allowed"
        }
    }

    public var agentID: String
    /// Counts up from 1 at each start: the aggregator keeps the newest and drops an older one that arrives late.
    public var sequence: Int
    public var at: String
    public var mode: String
    public var policyVersion: Int
    /// The envelope the cycle ran under, when one was applied.
    public var envelopeSequence: Int?
    public var phases: PerPhase<PhaseState>?
    public var thermal: Thermal
    public var chargers: [Charger]

    enum CodingKeys: String, CodingKey {
        case agentID = "agent_id", sequence, at, mode, policyVersion = "policy_version", envelopeSequence = "envelope_sequence"
        case phases, thermal, chargers
    }

    /// The report of one cycle: `inputs` as the cycle saw them, its `outcome`, under `policy`.
    public init(agentID: String, sequence: Int, now: Timestamp, inputs: CycleInputs, outcome: CycleOutcome, policy: ControlPolicy) {
        self.agentID = agentID
        self.sequence = sequence
        at = now.rfc3339
        mode = outcome.mode.rawValue
        policyVersion = policy.version
        envelopeSequence = outcome.decisions.contains { $0.code == "ENVELOPE_APPLIED" } ? inputs.envelope?.sequence : nil
        phases = inputs.meter.map { meter in
            PerPhase { phase in
                PhaseState(
                    activePowerKW: finite(meter.activePowerKW[phase]), reactivePowerKvar: finite(meter.reactivePowerKvar[phase]),
                    voltageV: finite(meter.voltageV[phase]), currentA: finite(meter.currentA[phase]))
            }
        }
        let figures = outcome.figures
        thermal = Thermal(
            topOilC: finite(outcome.state.thermal?.topOilC), hotSpotC: finite(figures.hotSpotC ?? outcome.state.thermal?.hotSpotC),
            forecastHotSpotC: finite(figures.forecastHotSpotC), hotSpotLimitC: policy.thermal.hotSpotLimitC,
            loadKVA: finite(figures.loadKVA), allowedKVA: finite(figures.allowedKVA),
            headroomKVA: finite(figures.allowedKVA.flatMap { allowed in figures.loadKVA.map { allowed - $0 } }))
        let setpoints = Dictionary(outcome.setpoints.map { ($0.chargerID, $0.activePowerKW) }, uniquingKeysWith: { first, _ in first })
        chargers = inputs.chargers.map { charger in
            var entry = Charger(
                id: charger.id, phase: charger.connection.description, online: charger.online, activePowerKW: finite(charger.measuredKW),
                setpointKW: finite(setpoints[charger.id]))
            if let ev = charger.ev {
                let socKnown = ev.socPercent.isFinite && (0...100).contains(ev.socPercent)
                entry.socPercent = socKnown ? ev.socPercent : nil
                if socKnown, ev.capacityKWh.isFinite, ev.capacityKWh > 0 {
                    entry.energyAvailableKWh = max(0, ev.socPercent - policy.ev.minimumSoCPercent) / 100 * ev.capacityKWh
                }
                entry.energyNeededKWh = finite(ev.energyNeededKWh).map { max(0, $0) }
                entry.departure = ev.departure?.rfc3339
                entry.dischargeAllowed = ev.dischargeAllowed
            }
            return entry
        }
    }

    /// The report as compact JSON, keys sorted (a few hundred bytes for a dozen chargers). Every number in it is
    /// finite (`finite` drops the rest), so encoding cannot fail.
    public func encoded() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? Array(encoder.encode(self))) ?? []
    }
}

/// A reading that is NaN or infinite (a broken register) is left out of the report rather than sent as garbage.
private func finite(_ value: Double?) -> Double? {
    guard let value, value.isFinite else { return nil }
    return value
}
