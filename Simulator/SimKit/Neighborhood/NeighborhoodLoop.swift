public import GridCore

/// A neighborhood played in process, without Modbus: each transformer's `InProcessLoop`, with no agent (the
/// baseline: every EV charges at its request) or with its own autonomous agent cycle (no aggregator). The
/// transformers share no physics, so each plays to the end on its own, side by side on the available cores.
public struct NeighborhoodLoop: Sendable {
    public let neighborhood: Neighborhood
    /// In the neighborhood's order.
    public private(set) var loops: [InProcessLoop]

    /// `policy` nil: no agents. Otherwise each transformer's agent runs `policy` with its site's nameplate and thermal
    /// parameters (`Scenario.sitePolicy(from:)`).
    public init(neighborhood: Neighborhood, policy: ControlPolicy?) {
        self.neighborhood = neighborhood
        loops = neighborhood.transformers.map { transformer in
            InProcessLoop(
                simulation: FeederSimulation(scenario: transformer.scenario, powerIntervalS: neighborhood.reportIntervalS),
                policy: policy.map { transformer.scenario.sitePolicy(from: $0) })
        }
    }

    /// Plays every transformer to `end`, one task per transformer.
    public mutating func run(until end: Timestamp) async {
        let played = await withTaskGroup(of: (Int, InProcessLoop).self) { group in
            for (index, loop) in loops.enumerated() {
                group.addTask {
                    var loop = loop
                    loop.run(until: end)
                    return (index, loop)
                }
            }
            var played = loops
            for await (index, loop) in group { played[index] = loop }
            return played
        }
        loops = played
    }

    public var simulations: [FeederSimulation] { loops.map(\.simulation) }

    public var figures: NeighborhoodFigures {
        NeighborhoodFigures(transformers: neighborhood.transformers.map(\.id), simulations: simulations)
    }

    /// Seconds each transformer's agent spent in each mode, by transformer id.
    public var modeSeconds: [String: [CycleOutcome.Mode: Double]] {
        Dictionary(uniqueKeysWithValues: zip(neighborhood.transformers.map(\.id), loops.map(\.modeSeconds)))
    }
}

extension NeighborhoodLoop {
    /// Raises or holds one transformer's ambient from now on; false when no transformer has that id.
    @discardableResult
    public mutating func adjustAmbient(_ adjustment: AmbientAdjustment?, of transformerID: String) throws(SimulationError) -> Bool {
        guard let index = neighborhood.transformers.firstIndex(where: { $0.id == transformerID }) else { return false }
        try loops[index].adjustAmbient(adjustment)
        return true
    }
}
