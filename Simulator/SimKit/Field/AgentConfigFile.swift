internal import FoundationEssentials
import GridCore

/// An agent configuration (the format of docs/agent-config.md, `v2g-agent run --config`) naming every device a
/// `SimulatedField` serves. Written here from the format's keys, without depending on the agent's code.
public struct AgentConfigFile: Sendable {
    public var agentID: String
    /// Absolute directory for the agent's cache, status file and Prometheus textfile.
    public var stateDirectory: String
    public var cyclePeriodS: Double
    public var policyFile: String?
    /// The agent's `uplink` section, as given (nil: none, the agent regulates without uploading).
    public var uplink: UplinkSection?

    public init(
        agentID: String = "sim-agent", stateDirectory: String, cyclePeriodS: Double = 1, policyFile: String? = nil,
        uplink: UplinkSection? = nil
    ) {
        self.agentID = agentID
        self.stateDirectory = stateDirectory
        self.cyclePeriodS = cyclePeriodS
        self.policyFile = policyFile
        self.uplink = uplink
    }

    /// The configuration's JSON text for `field`.
    public func json(for field: SimulatedField) throws -> [UInt8] {
        func transport(_ device: String) -> Transport {
            Transport(tcp: .init(host: "127.0.0.1", port: field.port(of: device) ?? 0, unitID: Int(SimulatedField.unitID)))
        }
        let directory = stateDirectory.hasSuffix("/") ? String(stateDirectory.dropLast()) : stateDirectory
        let config = Config(
            agentID: agentID, cyclePeriodS: cyclePeriodS, stateDirectory: directory,
            statusFile: directory + "/status.json", metricsTextfile: directory + "/v2g-agent.prom", policyFile: policyFile,
            uplink: uplink,
            meter: .init(transport: transport("meter")),
            temperature: .init(transport: transport("transformer"), measures: "top_oil"),
            chargers: field.scenario.chargers.map { spec in
                Charger(id: spec.id, phase: spec.connection, transport: transport(spec.id), ratedChargeKW: spec.ratedChargeKW,
                        ratedDischargeKW: spec.ratedDischargeKW, ratedKVA: spec.ratedKVA)
            })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return [UInt8](try encoder.encode(config))
    }

    /// Writes the configuration to `path` atomically.
    public func write(for field: SimulatedField, to path: String) throws(SimFieldError) {
        do {
            try Data(json(for: field)).write(to: URL(filePath: path), options: .atomic)
        } catch {
            throw .fileFailed(path, error)
        }
    }

    private struct Config: Encodable {
        var agentID: String
        var cyclePeriodS: Double
        var stateDirectory: String
        var statusFile: String
        var metricsTextfile: String
        var policyFile: String?
        var uplink: UplinkSection?
        var meter: Device
        var temperature: Temperature
        var chargers: [Charger]

        enum CodingKeys: String, CodingKey {
            case agentID = "agent_id", cyclePeriodS = "cycle_period_s", stateDirectory = "state_directory"
            case statusFile = "status_file", metricsTextfile = "metrics_textfile", policyFile = "policy_file"
            case uplink, meter, temperature, chargers
        }
    }

    private struct Device: Encodable { var transport: Transport }

    private struct Temperature: Encodable {
        var transport: Transport
        var measures: String
    }

    private struct Transport: Encodable {
        struct TCP: Encodable {
            var host: String
            var port: Int
            var unitID: Int
            enum CodingKeys: String, CodingKey { case host, port, unitID = "unit_id" }
        }
        var tcp: TCP
    }

    private struct Charger: Encodable {
        var id: String
        var phase: PhaseConnection
        var transport: Transport
        var ratedChargeKW: Double
        var ratedDischargeKW: Double
        var ratedKVA: Double
        enum CodingKeys: String, CodingKey {
            case id, phase, transport, ratedChargeKW = "rated_charge_kw", ratedDischargeKW = "rated_discharge_kw", ratedKVA = "rated_kva"
        }
    }
}
