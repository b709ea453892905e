public import FoundationEssentials
public import GridCore

/// The agent's configuration file (`/etc/v2g/agent.json`): which devices to poll and where to keep
/// state, status and metrics. Every key is documented in docs/agent-config.md; unknown keys are refused.
public struct AgentConfig: Sendable, Hashable, Codable {
    /// The agent's identity: its certificate's name and the key of its bundles and telemetry.
    public var agentID: String
    /// Control period, 0.1–10 s; it overrides the policy's, because protection counts cycles.
    public var cyclePeriodS: Double = 1
    /// Where the cache lives (systemd StateDirectory=).
    public var stateDirectory: String = "/var/lib/v2g-agent"
    /// Written atomically every cycle; read by `v2g-agent status`.
    public var statusFile: String = "/run/v2g-agent/status.json"
    /// Prometheus textfile for node-exporter's textfile collector (the agent opens no port).
    public var metricsTextfile: String = "/var/lib/prometheus/node-exporter/v2g-agent.prom"
    /// A policy offered at every start (commissioning); with `trust` it must be a signed bundle.
    public var policyFile: String?
    public var meter: MeterConfig
    public var temperature: TemperatureSensorConfig?
    public var chargers: [ChargerConfig] = []
    public var modbus: ModbusTiming = .init()
    /// Alarm when the meter and the sum of the chargers' own measurements disagree by more than this share of the meter's reading.
    public var disagreementAlarmPercent: Double = 2
    /// Telemetry upload to the aggregator; absent = the agent keeps no telemetry queue (it regulates all the same).
    public var uplink: UplinkConfig?
    /// The pinned root of trust; with it every policy must arrive signed (the local `policy_file` too).
    public var trust: TrustConfig?
    /// Fetching signed bundles and roots from the aggregator, and the probation of a new policy; needs `trust`.
    public var policyFetch: PolicyFetchConfig?

    public init(agentID: String, meter: MeterConfig, chargers: [ChargerConfig] = []) {
        self.agentID = agentID
        self.meter = meter
        self.chargers = chargers
    }

    /// The cache file, inside the state directory.
    public var cachePath: String { stateDirectory.hasSuffix("/") ? stateDirectory + "cache.sqlite" : stateDirectory + "/cache.sqlite" }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case agentID = "agent_id", cyclePeriodS = "cycle_period_s", stateDirectory = "state_directory"
        case statusFile = "status_file", metricsTextfile = "metrics_textfile", policyFile = "policy_file"
        case meter, temperature, chargers, modbus, disagreementAlarmPercent = "disagreement_alarm_pct", uplink
        case trust, policyFetch = "policy_fetch"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        agentID = try c.decode(String.self, forKey: .agentID)
        cyclePeriodS = try c.value(.cyclePeriodS, default: cyclePeriodS)
        stateDirectory = try c.value(.stateDirectory, default: stateDirectory)
        statusFile = try c.value(.statusFile, default: statusFile)
        metricsTextfile = try c.value(.metricsTextfile, default: metricsTextfile)
        policyFile = try c.decodeIfPresent(String.self, forKey: .policyFile)
        meter = try c.decode(MeterConfig.self, forKey: .meter)
        temperature = try c.decodeIfPresent(TemperatureSensorConfig.self, forKey: .temperature)
        chargers = try c.value(.chargers, default: chargers)
        modbus = try c.value(.modbus, default: modbus)
        disagreementAlarmPercent = try c.value(.disagreementAlarmPercent, default: disagreementAlarmPercent)
        uplink = try c.decodeIfPresent(UplinkConfig.self, forKey: .uplink)
        trust = try c.decodeIfPresent(TrustConfig.self, forKey: .trust)
        policyFetch = try c.decodeIfPresent(PolicyFetchConfig.self, forKey: .policyFetch)
    }
}

/// The transformer's secondary meter.
public struct MeterConfig: Sendable, Hashable, Codable {
    public var transport: ModbusTransport
    public var calibration: MeterCalibration = .init()

    public init(transport: ModbusTransport, calibration: MeterCalibration = .init()) {
        self.transport = transport
        self.calibration = calibration
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case transport, calibration }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        transport = try c.decode(ModbusTransport.self, forKey: .transport)
        calibration = try c.value(.calibration, default: calibration)
    }
}

/// An optional temperature sensor: ambient air, or the transformer's top oil where a probe exists.
public struct TemperatureSensorConfig: Sendable, Hashable, Codable {
    public enum Measures: String, Sendable, Hashable, Codable { case ambient, topOil = "top_oil" }

    public var transport: ModbusTransport
    public var measures: Measures = .ambient

    public init(transport: ModbusTransport, measures: Measures = .ambient) {
        self.transport = transport
        self.measures = measures
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case transport, measures }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        transport = try c.decode(ModbusTransport.self, forKey: .transport)
        measures = try c.value(.measures, default: measures)
    }
}

/// One bidirectional charger and the phase it is wired to.
public struct ChargerConfig: Sendable, Hashable, Codable {
    public var id: String
    public var phase: PhaseConnection
    public var transport: ModbusTransport
    public var ratedChargeKW: Double
    /// 0 for a charger that cannot discharge.
    public var ratedDischargeKW: Double
    /// Apparent-power rating; defaults to the larger of the two kW ratings.
    public var ratedKVA: Double

    public init(id: String, phase: PhaseConnection, transport: ModbusTransport, ratedChargeKW: Double, ratedDischargeKW: Double = 0, ratedKVA: Double? = nil) {
        self.id = id
        self.phase = phase
        self.transport = transport
        self.ratedChargeKW = ratedChargeKW
        self.ratedDischargeKW = ratedDischargeKW
        self.ratedKVA = ratedKVA ?? max(ratedChargeKW, ratedDischargeKW)
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case id, phase, transport, ratedChargeKW = "rated_charge_kw", ratedDischargeKW = "rated_discharge_kw", ratedKVA = "rated_kva"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        phase = try c.decode(PhaseConnection.self, forKey: .phase)
        transport = try c.decode(ModbusTransport.self, forKey: .transport)
        ratedChargeKW = try c.decode(Double.self, forKey: .ratedChargeKW)
        ratedDischargeKW = try c.value(.ratedDischargeKW, default: 0)
        ratedKVA = try c.value(.ratedKVA, default: max(ratedChargeKW, ratedDischargeKW))
    }
}

extension AgentConfig {
    /// Reads, decodes and validates a configuration file; returns the warnings that do not stop the agent.
    public static func load(path: String) throws(ConfigFileError) -> (config: AgentConfig, warnings: [String]) {
        try parse(ConfigFile.read(path), path: path)
    }

    /// Decodes and validates configuration text; `path` only names the source in errors.
    public static func parse(_ data: Data, path: String) throws(ConfigFileError) -> (config: AgentConfig, warnings: [String]) {
        let (config, layout) = try ConfigFile.decodeWithLayout(AgentConfig.self, from: Data(blankingComments([UInt8](data))), path: path)
        do {
            return (config, try config.validate())
        } catch {
            throw ConfigFile.refusal(path: path, field: error.field, reason: error.description, layout: layout)
        }
    }

    /// Replaces every line whose first non-blank characters are `#` or `//` with spaces, so that JSON
    /// errors still point at the right line and column. Only whole lines: `//` inside a string stays.
    static func blankingComments(_ bytes: [UInt8]) -> [UInt8] {
        var result = bytes
        var lineStart = 0
        while lineStart < result.count {
            var lineEnd = lineStart
            while lineEnd < result.count, result[lineEnd] != UInt8(ascii: "\n") { lineEnd += 1 }
            var first = lineStart
            while first < lineEnd, result[first] == UInt8(ascii: " ") || result[first] == UInt8(ascii: "\t") { first += 1 }
            let isHash = first < lineEnd && result[first] == UInt8(ascii: "#")
            let isSlashes = first + 1 < lineEnd && result[first] == UInt8(ascii: "/") && result[first + 1] == UInt8(ascii: "/")
            if isHash || isSlashes {
                for index in first..<lineEnd where result[index] != UInt8(ascii: "\r") { result[index] = UInt8(ascii: " ") }
            }
            lineStart = lineEnd + 1
        }
        return result
    }
}
