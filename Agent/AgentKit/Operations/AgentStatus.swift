public import GridCore

/// What `v2g-agent status` shows: written every cycle to the status file (the agent opens no port).
public struct AgentStatus: Sendable, Hashable, Codable {
    /// One alarm in force.
    public struct Alarm: Sendable, Hashable, Codable {
        /// A stable code (`TRIP_OV2`, `METER_STALE`, `CACHE_FULL`, …).
        public var code: String
        public var message: String
        public var since: Timestamp?

        public init(code: String, message: String, since: Timestamp? = nil) {
            self.code = code
            self.message = message
            self.since = since
        }
    }

    /// One charger's commanded setpoint.
    public struct Charger: Sendable, Hashable, Codable {
        public var id: String
        public var phase: PhaseConnection
        /// + = charge, − = discharge.
        public var activePowerKW: Double
        /// + = inject.
        public var reactivePowerKvar: Double
        public var online: Bool

        public init(id: String, phase: PhaseConnection, activePowerKW: Double, reactivePowerKvar: Double, online: Bool = true) {
            self.id = id
            self.phase = phase
            self.activePowerKW = activePowerKW
            self.reactivePowerKvar = reactivePowerKvar
            self.online = online
        }

        enum CodingKeys: String, CodingKey {
            case id, phase, activePowerKW = "p_kw", reactivePowerKvar = "q_kvar", online
        }
    }

    public var agentID: String
    /// nil until the first cycle has run.
    public var mode: CycleOutcome.Mode?
    public var policyVersion: Int
    public var lastCycleAt: Timestamp?
    public var cycleDurationS: Double?
    public var alarms: [Alarm]
    /// Standing notices of the policy in force (`CLEARING_TIME_UNREACHABLE`): worth knowing, not alarms.
    public var notices: [Alarm]?
    public var neutralCurrentA: Double?
    /// Voltage unbalance factor (negative- over positive-sequence), in percent.
    public var voltageUnbalancePercent: Double?
    public var hotSpotC: Double?
    public var allowedKVA: Double?
    public var chargers: [Charger]
    /// The telemetry uplink as of its last wake; nil without an `uplink` config section or before its first wake.
    public var uplink: UplinkStatus?
    /// The signed-policy path (root, last fetch, reports, probation); nil without a `trust` section.
    public var policyPath: PolicyPathStatus?
    /// The neighborhood envelope the last cycle held, a lapsed one included (then not applied); nil before the first.
    public var envelope: EnvelopeStatus?
    /// When this status was written.
    public var writtenAt: Timestamp

    public init(
        agentID: String, mode: CycleOutcome.Mode? = nil, policyVersion: Int, lastCycleAt: Timestamp? = nil,
        cycleDurationS: Double? = nil, alarms: [Alarm] = [], neutralCurrentA: Double? = nil,
        voltageUnbalancePercent: Double? = nil, hotSpotC: Double? = nil, allowedKVA: Double? = nil,
        chargers: [Charger] = [], uplink: UplinkStatus? = nil, writtenAt: Timestamp
    ) {
        self.agentID = agentID
        self.mode = mode
        self.policyVersion = policyVersion
        self.lastCycleAt = lastCycleAt
        self.cycleDurationS = cycleDurationS
        self.alarms = alarms
        self.neutralCurrentA = neutralCurrentA
        self.voltageUnbalancePercent = voltageUnbalancePercent
        self.hotSpotC = hotSpotC
        self.allowedKVA = allowedKVA
        self.chargers = chargers
        self.uplink = uplink
        self.writtenAt = writtenAt
    }

    enum CodingKeys: String, CodingKey {
        case agentID = "agent_id", mode, policyVersion = "policy_version", lastCycleAt = "last_cycle_at"
        case cycleDurationS = "cycle_duration_s", alarms, neutralCurrentA = "neutral_current_a"
        case voltageUnbalancePercent = "vuf_pct", hotSpotC = "hot_spot_c", allowedKVA = "allowed_kva"
        case chargers, uplink, writtenAt = "written_at", notices, policyPath = "policy_path", envelope
    }

    /// The envelope of the last cycle: which one, until when, and whether the cycle applied it (a cycle whose own
    /// limits were already narrower, or that tripped, holds an envelope without applying it).
    public struct EnvelopeStatus: Sendable, Hashable, Codable {
        public var sequence: Int
        public var validUntil: Timestamp
        public var applied: Bool

        public init(sequence: Int, validUntil: Timestamp, applied: Bool) {
            self.sequence = sequence
            self.validUntil = validUntil
            self.applied = applied
        }

        enum CodingKeys: String, CodingKey { case sequence, validUntil = "valid_until", applied }
    }
}
