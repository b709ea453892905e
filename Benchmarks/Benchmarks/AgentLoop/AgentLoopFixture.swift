import AgentKit
import FoundationEssentials
import GridCore
import Logging
import SimKit

/// The agent's whole stack against the field simulator in one process, as Tests/IntegrationTests/ModbusLoop.swift
/// runs it: SimulatedField's SunSpec servers on ephemeral loopback ports, the agent's ModbusFieldBus and ControlLoop,
/// and a GuardedCache. Simulated time only: one `step()` is one 1 s cycle.
final class AgentLoopFixture {
    enum CacheKind { case sqlite, inMemory }

    static let cycleS = 1.0
    static let logger = Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() })

    private var simulation: FeederSimulation
    private let field: SimulatedField
    private let loop: ControlLoop
    private let stateDirectory: String?
    /// The time of the observation the field serves now.
    private var now: Timestamp
    private(set) var cycles = 0
    private(set) var setpointsApplied = 0

    init(scenario path: String, cache kind: CacheKind) throws {
        let scenario = try Scenario.decode(from: [UInt8](Data(contentsOf: URL(filePath: path))))
        simulation = FeederSimulation(scenario: scenario)
        let field = try SimulatedField(scenario: scenario, basePort: 0)
        self.field = field
        var config = AgentConfig(
            agentID: "bench-agent",
            meter: MeterConfig(transport: .tcp(.init(host: "127.0.0.1", port: field.port(of: "meter")!))),
            chargers: scenario.chargers.map { spec in
                ChargerConfig(
                    id: spec.id, phase: spec.connection, transport: .tcp(.init(host: "127.0.0.1", port: field.port(of: spec.id)!)),
                    ratedChargeKW: spec.ratedChargeKW, ratedDischargeKW: spec.ratedDischargeKW, ratedKVA: spec.ratedKVA)
            })
        // As v2g-sim's --agent-config-out writes it: the simulator's probe measures top oil.
        config.temperature = TemperatureSensorConfig(
            transport: .tcp(.init(host: "127.0.0.1", port: field.port(of: "transformer")!)), measures: .topOil)
        config.cyclePeriodS = Self.cycleS
        let cache: GuardedCache
        switch kind {
        case .sqlite:
            // On disk (not tmpfs here), so the per-cycle state save pays for its WAL write as on the device.
            let directory = FileManager.default.temporaryDirectory.path + "/v2g-bench-\(UInt32.random(in: 0...UInt32.max))"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            config.stateDirectory = directory
            stateDirectory = directory
            cache = GuardedCache(path: config.cachePath, logger: Self.logger)
        case .inMemory:
            stateDirectory = nil
            cache = GuardedCache(InMemoryAgentCache(), logger: Self.logger)
        }
        var policy = scenario.sitePolicy()
        policy.cyclePeriodS = Self.cycleS
        _ = cache.adoptPolicy(policy, bundleBytes: [], receivedAt: scenario.startTime)
        loop = ControlLoop(field: ModbusFieldBus(config: config), cache: cache, logger: Self.logger)
        loop.setCyclePeriod(Self.cycleS)
        let observation = simulation.observe()
        field.publish(observation)
        now = observation.time
    }

    deinit {
        field.stop()
        if let stateDirectory { try? FileManager.default.removeItem(atPath: stateDirectory) }
    }

    /// One agent cycle (poll meter, temperatures and every charger over Modbus TCP, plan, write with read-back, save
    /// the state), then the written setpoints reach the physics, which advances one period and is published.
    @discardableResult
    func step() -> CycleOutcome {
        let outcome = loop.runCycle(now: now)
        for setpoint in field.drainSetpoints() where (try? setpoint.apply(to: &simulation)) != nil {
            setpointsApplied += 1
        }
        simulation.advance(by: Self.cycleS)
        let observation = simulation.observe()
        field.publish(observation)
        now = observation.time
        cycles += 1
        return outcome
    }

    /// Devices the last poll read, and the alarms it raised: a fixture that cannot reach the field would measure
    /// timeouts, not the loop.
    var lastPoll: (chargers: Int, meter: Bool, alarms: [String]) {
        (loop.lastInputs?.chargers.count ?? 0, loop.lastInputs?.meter != nil, loop.lastFieldAlarms.map { "\($0.code):\($0.device)" })
    }

    /// examples/scenarios/NAME.json from this file's place in the repository.
    static func scenarioPath(_ name: String) -> String {
        let root = #filePath.split(separator: "/").dropLast(4).joined(separator: "/")
        return "/\(root)/examples/scenarios/\(name).json"
    }
}
