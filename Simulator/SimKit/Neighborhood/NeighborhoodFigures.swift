internal import FoundationEssentials

/// The figures of a neighborhood run: each transformer's `RunFigures` (the single-transformer contract), the
/// neighborhood's (`RunFigures(neighborhood:)`), and the net power it drew from the feeder over time, to judge a
/// dispatch goal. Its JSON is the `M` of `v2g-sim rehearse --neighborhood --json` and the `figures` of the
/// neighborhood run report (docs/simulator.md, "Neighborhood").
public struct NeighborhoodFigures: Sendable, Encodable {
    /// One transformer's figures and power series.
    public struct Transformer: Sendable {
        public var id: String
        public var figures: RunFigures
        public var netPower: NetPowerSeries
    }

    /// In the neighborhood file's order.
    public var transformers: [Transformer]
    public var neighborhood: RunFigures

    public init(transformers ids: [String], simulations: [FeederSimulation]) {
        transformers = zip(ids, simulations).map { id, simulation in
            Transformer(id: id, figures: RunFigures(simulation: simulation), netPower: simulation.metrics.netPower)
        }
        neighborhood = RunFigures(neighborhood: transformers.map { ($0.id, $0.figures) })
    }

    public func transformer(_ id: String) -> Transformer? { transformers.first { $0.id == id } }

    /// The window of the series, in seconds.
    public var intervalS: Double { transformers.first?.netPower.intervalS ?? 0 }

    /// Complete windows common to every transformer.
    public var windowCount: Int { transformers.map(\.netPower.netImportKW.count).min() ?? 0 }

    /// The neighborhood's net import per window (kW, + import from the feeder, − export): the sum of its transformers'.
    public var netImportKW: [Double] { sum(\.netImportKW) }
    /// Its chargers' total per window (kW, + charging, − discharging).
    public var chargersKW: [Double] { sum(\.chargersKW) }
    public var importedKWh: Double { transformers.reduce(0) { $0 + $1.netPower.importedKWh } }
    public var exportedKWh: Double { transformers.reduce(0) { $0 + $1.netPower.exportedKWh } }

    private func sum(_ series: (NetPowerSeries) -> [Double]) -> [Double] {
        (0..<windowCount).map { window in transformers.reduce(0) { $0 + series($1.netPower)[window] } }
    }

    private enum Keys: String, CodingKey {
        case transformers, neighborhood, netPower = "net_power", intervalS = "interval_s", fromS = "from_s"
        case netImportKW = "net_import_kw", chargersKW = "chargers_kw", importedKWh = "imported_kwh"
        case exportedKWh = "exported_kwh", netImportMaxKW = "net_import_max_kw", netImportMinKW = "net_import_min_kw"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        var byID = c.nestedContainer(keyedBy: ScenarioKey.self, forKey: .transformers)
        for transformer in transformers { try byID.encode(transformer.figures, forKey: ScenarioKey(stringValue: transformer.id)) }
        try c.encode(neighborhood, forKey: .neighborhood)
        var power = c.nestedContainer(keyedBy: Keys.self, forKey: .netPower)
        let windows = windowCount
        try power.encode(intervalS, forKey: .intervalS)
        try power.encode((0..<windows).map { Double($0) * intervalS }, forKey: .fromS)
        let net = netImportKW
        try power.encode(net, forKey: .netImportKW)
        try power.encode(chargersKW, forKey: .chargersKW)
        try power.encode(importedKWh, forKey: .importedKWh)
        try power.encode(exportedKWh, forKey: .exportedKWh)
        try power.encode(net.max(), forKey: .netImportMaxKW)
        try power.encode(net.min(), forKey: .netImportMinKW)
        var each = power.nestedContainer(keyedBy: ScenarioKey.self, forKey: .transformers)
        for transformer in transformers {
            var one = each.nestedContainer(keyedBy: Keys.self, forKey: ScenarioKey(stringValue: transformer.id))
            try one.encode(Array(transformer.netPower.netImportKW.prefix(windows)), forKey: .netImportKW)
            try one.encode(Array(transformer.netPower.chargersKW.prefix(windows)), forKey: .chargersKW)
            try one.encode(transformer.netPower.importedKWh, forKey: .importedKWh)
            try one.encode(transformer.netPower.exportedKWh, forKey: .exportedKWh)
        }
    }
}
