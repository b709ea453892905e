internal import FoundationEssentials
public import GridCore

/// A neighborhood behind its Modbus servers: each transformer's `SimulatedField` and `SimulationRunner`, stepped
/// together on one clock. The devices take consecutive ports, transformer after transformer in file order: the
/// meter, the temperature block, then the chargers (docs/simulator.md, "Neighborhood").
public struct NeighborhoodRunner: Sendable {
    public let neighborhood: Neighborhood
    /// In the neighborhood's order.
    public private(set) var runners: [SimulationRunner]
    /// Every ambient change made while running, in order.
    public private(set) var ambientChanges: [AmbientChange] = []

    /// Starts every transformer's servers. `basePort` 0 gives every device an ephemeral port.
    public init(neighborhood: Neighborhood, basePort: Int = 0) throws(SimFieldError) {
        let devices = neighborhood.transformers.reduce(0) { $0 + 2 + $1.scenario.chargers.count }
        guard basePort == 0 || (1024...65535).contains(basePort) && basePort + devices - 1 <= 65535 else {
            throw .portOutOfRange(base: basePort, devices: devices)
        }
        self.neighborhood = neighborhood
        var runners: [SimulationRunner] = []
        var port = basePort
        for transformer in neighborhood.transformers {
            // A field that fails to start stops those started before it (their deinit).
            let field: SimulatedField
            do {
                field = try SimulatedField(scenario: transformer.scenario, basePort: port)
            } catch {
                throw .transformerFailed(transformer.id, error)
            }
            if basePort != 0 { port += 2 + transformer.scenario.chargers.count }
            let simulation = FeederSimulation(scenario: transformer.scenario, powerIntervalS: neighborhood.reportIntervalS)
            runners.append(SimulationRunner(simulation: simulation, field: field))
        }
        self.runners = runners
    }

    public var fields: [SimulatedField] { runners.map(\.field) }
    public var simulations: [FeederSimulation] { runners.map(\.simulation) }
    /// Simulated time now (every transformer is at the same instant).
    public var time: Timestamp { runners.first?.simulation.time ?? neighborhood.startTime }

    public func field(of transformerID: String) -> SimulatedField? {
        neighborhood.transformers.firstIndex { $0.id == transformerID }.map { runners[$0].field }
    }

    /// One tick without pacing for every transformer: its drained setpoints, `simulatedSeconds` of physics, a publish.
    public mutating func step(simulatedSeconds: Double) {
        for index in runners.indices { runners[index].step(simulatedSeconds: simulatedSeconds) }
    }

    /// Sets each transformer's ambient adjustment (absent from `adjustments`: none) and logs those that changed.
    /// An id that names no transformer is ignored; the control file's parser refuses it first.
    public mutating func setAmbient(_ adjustments: [String: AmbientAdjustment]) throws(SimulationError) {
        for (index, transformer) in neighborhood.transformers.enumerated() {
            let wanted = adjustments[transformer.id]
            guard runners[index].simulation.ambientAdjustment != wanted else { continue }
            try runners[index].adjustAmbient(wanted)
            ambientChanges.append(AmbientChange(transformerID: transformer.id, at: runners[index].simulation.time, adjustment: wanted))
        }
    }

    /// Paces the run as `SimulationRunner.run` does, every transformer on the same clock, until `end` or until
    /// `shouldStop` returns true. Before each tick `control` may set the ambient adjustments anew.
    public mutating func run(
        clock: SimulationClock, until end: Timestamp, tickS: Double = 0.02,
        control: () -> [String: AmbientAdjustment]? = { nil }, shouldStop: @Sendable () -> Bool = { false }
    ) async throws {
        while time < end, !shouldStop() {
            try await Task.sleep(for: .milliseconds(Int((tickS * 1000).rounded())))
            // The control file's parser checks every value against the same ranges, so this does not throw.
            if let adjustments = control() { try? setAmbient(adjustments) }
            let target = min(clock.simulatedTime(atWallS: SimulationClock.wallNowS()), end)
            step(simulatedSeconds: target - time)
        }
    }
}

/// An ambient change made while a neighborhood ran.
public struct AmbientChange: Sendable, Hashable {
    public var transformerID: String
    public var at: Timestamp
    /// nil: back to the scenario's ambient.
    public var adjustment: AmbientAdjustment?
}

extension NeighborhoodRunner {
    /// Writes one agent configuration per transformer into `directory` (made if missing): `<agent_id>.json`, naming
    /// that transformer's devices, with its state directory, status file and textfile in `<agent_id>/` beside it.
    /// `uplink` is given to every agent with `{agent_id}` replaced. With a `policy`, each agent gets its own copy,
    /// `<agent_id>.policy.json`, with its transformer's nameplate and thermal parameters (`Scenario.sitePolicy`):
    /// one policy file for transformers of different ratings would regulate each against the wrong one.
    /// Returns the files in the neighborhood's order.
    public func writeAgentConfigs(
        to directory: String, cyclePeriodS: Double = 1, policy: ControlPolicy? = nil, uplink: UplinkSection? = nil
    ) throws(SimFieldError) -> [String] {
        let folder = directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw .fileFailed(folder, error)
        }
        var written: [String] = []
        for (transformer, runner) in zip(neighborhood.transformers, runners) {
            var policyFile: String?
            if let policy {
                let path = folder + "/" + transformer.agentID + ".policy.json"
                try Self.write(transformer.scenario.sitePolicy(from: policy), to: path)
                policyFile = path
            }
            let config = AgentConfigFile(
                agentID: transformer.agentID, stateDirectory: folder + "/" + transformer.agentID, cyclePeriodS: cyclePeriodS,
                policyFile: policyFile, uplink: uplink?.forAgent(transformer.agentID))
            let path = folder + "/" + transformer.agentID + ".json"
            try config.write(for: runner.field, to: path)
            written.append(path)
        }
        return written
    }

    private static func write(_ policy: ControlPolicy, to path: String) throws(SimFieldError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do {
            try encoder.encode(policy).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw .fileFailed(path, error)
        }
    }
}
