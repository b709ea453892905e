import AgentKit
import FoundationEssentials
import GridCore
import Logging
import SimKit

/// The real agent stack against the simulator over Modbus TCP on loopback: SimulatedField's SunSpec servers,
/// the agent's ModbusFieldBus and ControlLoop, and a real SQLite cache in a temporary directory.
/// Time is the simulation's (no wall clock), so runs are repeatable and fast.
final class ModbusLoop {
    var simulation: FeederSimulation
    let field: SimulatedField
    let config: AgentConfig
    let cachePath: String
    private(set) var loop: ControlLoop
    var outcomes: [CycleOutcome] = []
    let period: Double

    init(scenario name: String, cycleS: Double = 4, configure: (inout AgentConfig) -> Void = { _ in }) throws {
        let scenario = try Self.scenario(name)
        simulation = FeederSimulation(scenario: scenario)
        let field = try SimulatedField(scenario: scenario, basePort: 0)
        self.field = field
        var config = AgentConfig(
            agentID: "it-\(name)",
            meter: MeterConfig(transport: .tcp(.init(host: "127.0.0.1", port: field.port(of: "meter")!))),
            chargers: scenario.chargers.map { spec in
                ChargerConfig(
                    id: spec.id, phase: spec.connection, transport: .tcp(.init(host: "127.0.0.1", port: field.port(of: spec.id)!)),
                    ratedChargeKW: spec.ratedChargeKW, ratedDischargeKW: spec.ratedDischargeKW, ratedKVA: spec.ratedKVA)
            })
        config.temperature = TemperatureSensorConfig(transport: .tcp(.init(host: "127.0.0.1", port: field.port(of: "transformer")!)))
        config.modbus.responseTimeoutS = 0.2
        config.modbus.reconnectInitialS = cycleS
        config.modbus.reconnectMaxS = 4 * cycleS
        config.cyclePeriodS = cycleS
        let directory = "/tmp/v2g-it-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        config.stateDirectory = directory
        configure(&config)
        self.config = config
        cachePath = config.cachePath
        period = cycleS
        var policy = scenario.sitePolicy()
        policy.cyclePeriodS = cycleS
        let cache = GuardedCache(path: cachePath, logger: Self.logger)
        _ = cache.adoptPolicy(policy, bundleBytes: [], receivedAt: scenario.startTime)
        loop = ControlLoop(field: ModbusFieldBus(config: config), cache: cache, logger: Self.logger)
        loop.setCyclePeriod(cycleS)
        field.publish(simulation.observe())
    }

    deinit {
        field.stop()
        try? FileManager.default.removeItem(atPath: NSStringPath(path: cachePath).directory)
    }

    static let logger = Logger(label: "integration", factory: { _ in SwiftLogNoOpLogHandler() })

    static func scenario(_ name: String) throws -> Scenario {
        let root = #filePath.split(separator: "/").dropLast(3).joined(separator: "/")
        return try Scenario.decode(from: [UInt8](Data(contentsOf: URL(filePath: "/\(root)/examples/scenarios/\(name).json"))))
    }

    var now: Timestamp { simulation.observe().time }
    var isFinished: Bool { now >= simulation.scenario.endTime }

    /// One agent cycle over Modbus, then the setpoints reach the physics, then one period of physics.
    @discardableResult
    func step() -> CycleOutcome {
        let outcome = loop.runCycle(now: now)
        outcomes.append(outcome)
        for setpoint in field.drainSetpoints() {
            try? setpoint.apply(to: &simulation)
        }
        simulation.advance(by: period)
        field.publish(simulation.observe())
        return outcome
    }

    func run(untilOffsetS offset: Double) {
        let until = simulation.scenario.startTime + offset
        while now < until, !isFinished { step() }
    }

    func runToEnd() { while !isFinished { step() } }

    /// Simulates kill -9 and a restart with no network: the loop object is dropped without shutdown and
    /// a new one opens the same SQLite cache file.
    func restartAgent() {
        let cache = GuardedCache(path: cachePath, logger: Self.logger)
        loop = ControlLoop(field: ModbusFieldBus(config: config), cache: cache, logger: Self.logger)
        loop.setCyclePeriod(period)
    }
}

/// The folder part of a path, without Foundation's NSString.
struct NSStringPath {
    let path: String
    var directory: String { String(path[..<(path.lastIndex(of: "/") ?? path.endIndex)]) }
}

