import ArgumentParser
import FoundationEssentials
import GridCore
import SimKit
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Set by SIGINT/SIGTERM; the runner checks it every tick (an atomic store is async-signal-safe).
let stopRequested = Atomic<Bool>(false)

/// Plays a scenario in wall time behind its Modbus servers, then reports its metrics.
struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve a scenario's (or a neighborhood's) meters, temperature blocks and chargers over Modbus TCP and play it in wall time.",
        discussion: """
            Ports: the meter on --base-port, the temperature block on the next, then one per charger in scenario order,
            all on 127.0.0.1, unit id 1 (docs/simulator.md, "Modbus side"); a neighborhood's transformers follow one
            another in file order ("Neighborhood"). At the end, or on SIGINT or SIGTERM, the metrics are printed and
            written to --metrics-out.
            """
    )

    @Option(name: .long, help: "Scenario file (JSON, docs/simulator.md); or give --neighborhood.")
    var scenario: String?

    @Option(name: .long, help: "Neighborhood file: several transformers on one clock (JSON, docs/simulator.md, \"Neighborhood\").")
    var neighborhood: String?

    @Option(name: .long, help: "Port of the meter; the other devices follow. 0 picks free ports.")
    var basePort: Int = 15020

    @Option(name: .long, help: "Simulated seconds per wall second (default: the scenario's time_acceleration).")
    var acceleration: Double?

    @Option(name: .long, help: "Write an agent configuration naming every served device (for v2g-agent run --config).")
    var agentConfigOut: String?

    @Option(name: .long, help: "With --neighborhood: write one agent configuration per transformer here, <agent_id>.json.")
    var agentConfigDir: String?

    @Option(name: .long, help: "With --neighborhood: watch this JSON file for ambient changes per transformer (docs/simulator.md).")
    var controlFile: String?

    @Option(name: .long, help: "Write the simulation clock here (JSON: wall_start_s, sim_start_s, scale).")
    var clockFile: String?

    @Option(name: .long, help: "Write the metrics here as JSON at the end.")
    var metricsOut: String?

    @Option(name: .long, help: "Stop after this many simulated seconds (default: the scenario's duration).")
    var durationS: Double?

    @Option(name: .long, help: "Policy file the generated agent configuration names (policy_file; checked here first). With --neighborhood, each agent gets its own copy with its transformer's nameplate and thermal parameters, <agent_id>.policy.json.")
    var policy: String?

    @Option(name: .long, help: "Control period in the generated agent configuration (cycle_period_s, 0.1–10 s; default 1).")
    var cyclePeriod: Double?

    @Option(name: .long, help: "JSON file holding the generated agent configuration's uplink section (docs/uplink.md).")
    var agentUplink: String?

    func validate() throws {
        if let acceleration, !(acceleration.isFinite && (0.01...100_000).contains(acceleration)) {
            throw ValidationError("--acceleration must lie in 0.01…100000, got \(acceleration)")
        }
        if let durationS, !(durationS.isFinite && durationS > 0) {
            throw ValidationError("--duration-s must be a positive number of seconds, got \(durationS)")
        }
        if let cyclePeriod, !(cyclePeriod.isFinite && (0.1...10).contains(cyclePeriod)) {
            throw ValidationError("--cycle-period must lie in 0.1…10 s, got \(cyclePeriod)")
        }
        guard (scenario == nil) != (neighborhood == nil) else {
            throw ValidationError("give exactly one of --scenario FILE and --neighborhood FILE")
        }
        if neighborhood != nil {
            if agentConfigOut != nil { throw ValidationError("--agent-config-out is for --scenario: a neighborhood writes --agent-config-dir") }
            if agentConfigDir == nil, policy != nil || cyclePeriod != nil || agentUplink != nil {
                throw ValidationError("--policy, --cycle-period and --agent-uplink go into the agent configurations: give --agent-config-dir too")
            }
        } else {
            if agentConfigDir != nil || controlFile != nil {
                throw ValidationError("--agent-config-dir and --control-file are for --neighborhood")
            }
            if agentConfigOut == nil, policy != nil || cyclePeriod != nil || agentUplink != nil {
                throw ValidationError("--policy, --cycle-period and --agent-uplink go into the agent configuration: give --agent-config-out too")
            }
        }
        guard basePort == 0 || (1024...65535).contains(basePort) else {
            throw ValidationError("--base-port must be 0 or lie in 1024…65535, got \(basePort)")
        }
    }

    func run() async throws {
        if let neighborhood { return try await runNeighborhood(neighborhood) }
        guard let scenarioPath = self.scenario else { throw fail("give --scenario FILE or --neighborhood FILE") }
        let scenario = try ScenarioInputs.scenario(scenarioPath)
        // Checked before anything starts, so that a bad file stops here and not in the agent.
        if let policy { _ = try ScenarioInputs.policy(policy) }
        let uplink = try agentUplinkSection()
        let field: SimulatedField
        do {
            field = try SimulatedField(scenario: scenario, basePort: basePort)
        } catch {
            throw fail(error.message)
        }
        defer { field.stop() }
        for device in field.devices { print("\(device.name): 127.0.0.1:\(device.port) unit \(device.unitID)") }
        if let agentConfigOut {
            let path = Self.absolute(agentConfigOut)
            let directory = path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
            let config = AgentConfigFile(
                stateDirectory: (directory.isEmpty ? "" : directory) + "/agent-state", cyclePeriodS: cyclePeriod ?? 1,
                policyFile: policy.map(Self.absolute), uplink: uplink)
            do { try config.write(for: field, to: path) } catch { throw fail(error.message) }
        }

        let scale = acceleration ?? scenario.timeAcceleration
        let end = min(scenario.endTime, scenario.startTime + (durationS ?? scenario.durationS))
        var runner = SimulationRunner(simulation: FeederSimulation(scenario: scenario), field: field)
        let clock = SimulationClock(
            wallStartS: SimulationClock.wallNowS(), simStartS: scenario.startTime.secondsSinceEpoch, scale: scale)
        if let clockFile {
            do { try clock.write(to: clockFile) } catch { throw fail(error.message) }
        }
        Self.stopOnSignals()
        print("playing \(scenario.name ?? scenarioPath) at ×\(scale): \(Int(end - scenario.startTime)) s simulated")
        try await runner.run(clock: clock, until: end) { stopRequested.load(ordering: .relaxed) }

        let report = ScenarioReport(
            simulation: runner.simulation, appliedSetpoints: runner.appliedSetpoints, refusedSetpoints: runner.refusedSetpoints)
        print(report.text)
        if let metricsOut {
            do { try report.write(to: metricsOut) } catch { throw fail(error.message) }
        }
    }

    /// The `--agent-uplink` file, read and checked.
    func agentUplinkSection() throws -> UplinkSection? {
        do { return try agentUplink.map { path throws(SimFieldError) in try UplinkSection(path: path) } } catch { throw fail(error.message) }
    }

    /// SIGINT and SIGTERM end the run: the metrics are still printed and written.
    static func stopOnSignals() {
        for signal in [SIGINT, SIGTERM] {
            _ = Glibc.signal(signal) { _ in stopRequested.store(true, ordering: .relaxed) }
        }
    }

    /// `path` made absolute against the working directory (the agent refuses relative paths).
    static func absolute(_ path: String) -> String {
        guard !path.hasPrefix("/") else { return path }
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getcwd(&buffer, buffer.count) != nil else { return path }
        let cwd = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return cwd + "/" + path
    }
}
