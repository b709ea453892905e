public import GridCore

/// The figures the metrics textfile exposes; the control loop fills it once per cycle.
public struct AgentMetrics: Sendable, Hashable {
    public var cycleDurationS: Double?
    public var cyclesTotal: Int = 0
    /// Trips since start, by decision code (`TRIP_OV2`, `TRIP_UF1`, …).
    public var tripsTotalByCode: [String: Int] = [:]
    /// Alarms in force, by code (1 each).
    public var activeAlarmCodes: Set<String> = []
    /// Standing notices of the policy in force, by code (not alarms).
    public var noticeCodes: Set<String> = []
    /// The version of the policy in force (0: the built-in defaults).
    public var policyVersion: Int?
    /// The signed-policy path's figures (nil without a `trust` section).
    public var policyPath: PolicyPathStatus?
    public var neutralCurrentA: Double?
    public var voltageUnbalancePercent: Double?
    public var hotSpotC: Double?
    public var allowedKVA: Double?
    public var phaseLoadingPercent: PerPhase<Double>?
    /// Commanded setpoints, one per charger.
    public var setpoints: [ChargerSetpoint] = []
    /// Failed Modbus transactions since start, by device (`meter`, a charger id).
    public var modbusErrorsByDevice: [String: Int] = [:]
    /// Failed cache operations since start, by `CacheError.label`.
    public var cacheErrorsByLabel: [String: Int] = [:]
    /// The uplink's figures as of its last wake (nil: no uplink, or no wake yet).
    public var uplink: UplinkStatus?

    public init() {}
}
