internal import FoundationEssentials
public import GridCore

/// What `v2g-sim run --neighborhood` (and `v2g-sim baseline --neighborhood`) reports at the end: each transformer's
/// single-transformer report, the ambient changes made while running, and the neighborhood's figures.
public struct NeighborhoodReport: Sendable, ReportFile {
    public struct Transformer: Sendable {
        public var id: String
        public var agentID: String
        public var report: ScenarioReport
    }

    public var neighborhood: String
    public var startTime: Timestamp
    public var endTime: Timestamp
    /// In the neighborhood's order.
    public var transformers: [Transformer]
    public var ambientChanges: [AmbientChange]
    public var figures: NeighborhoodFigures

    /// `setpoints[i]` counts what transformer i's runner applied and refused (zeros without agents).
    public init(
        neighborhood: Neighborhood, simulations: [FeederSimulation], setpoints: [(applied: Int, refused: Int)]? = nil,
        ambientChanges: [AmbientChange] = []
    ) {
        self.neighborhood = neighborhood.name ?? "unnamed"
        startTime = neighborhood.startTime
        endTime = simulations.first?.time ?? neighborhood.startTime
        transformers = neighborhood.transformers.indices.map { index in
            let counts = setpoints?[index] ?? (applied: 0, refused: 0)
            return Transformer(
                id: neighborhood.transformers[index].id, agentID: neighborhood.transformers[index].agentID,
                report: ScenarioReport(simulation: simulations[index], appliedSetpoints: counts.applied, refusedSetpoints: counts.refused))
        }
        self.ambientChanges = ambientChanges
        figures = NeighborhoodFigures(transformers: neighborhood.transformers.map(\.id), simulations: simulations)
    }

    /// From a runner: its simulations, setpoint counts and ambient changes.
    public init(runner: NeighborhoodRunner) {
        self.init(
            neighborhood: runner.neighborhood, simulations: runner.simulations,
            setpoints: runner.runners.map { ($0.appliedSetpoints, $0.refusedSetpoints) }, ambientChanges: runner.ambientChanges)
    }

    private enum Keys: String, CodingKey {
        case neighborhood, startTime = "start_time", endTime = "end_time", transformers, ambientChanges = "ambient_changes"
        case figures, agentID = "agent_id", report, transformer, atS = "at_s", riseK = "rise_k", heldC = "ambient_c"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(neighborhood, forKey: .neighborhood)
        try c.encode(startTime, forKey: .startTime)
        try c.encode(endTime, forKey: .endTime)
        var byID = c.nestedContainer(keyedBy: ScenarioKey.self, forKey: .transformers)
        for transformer in transformers {
            var one = byID.nestedContainer(keyedBy: Keys.self, forKey: ScenarioKey(stringValue: transformer.id))
            try one.encode(transformer.agentID, forKey: .agentID)
            try one.encode(transformer.report, forKey: .report)
        }
        var changes = c.nestedUnkeyedContainer(forKey: .ambientChanges)
        for change in ambientChanges {
            var entry = changes.nestedContainer(keyedBy: Keys.self)
            try entry.encode(change.transformerID, forKey: .transformer)
            try entry.encode(change.at - startTime, forKey: .atS)
            // Both null: back to the scenario's ambient.
            if case .rise(let kelvin) = change.adjustment { try entry.encode(kelvin, forKey: .riseK) } else { try entry.encodeNil(forKey: .riseK) }
            if case .held(let celsius) = change.adjustment { try entry.encode(celsius, forKey: .heldC) } else { try entry.encodeNil(forKey: .heldC) }
        }
        try c.encode(figures, forKey: .figures)
    }
}
