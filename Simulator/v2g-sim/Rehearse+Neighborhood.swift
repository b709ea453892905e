import ArgumentParser
import GridCore
import SimKit

extension Rehearse {
    /// `rehearse --neighborhood`: the neighborhood without agents, then with each transformer's agent autonomous.
    func rehearseNeighborhood(_ path: String) async throws {
        let neighborhood = try ScenarioInputs.neighborhood(path)
        let base = try policy.map(ScenarioInputs.policy) ?? .builtInSafeDefaults
        // Every transformer shares the neighborhood's start and UTC offset: any one reads --until.
        let clockScenario = neighborhood.transformers[0].scenario
        let end = try until.map { try Self.time($0, in: clockScenario) }
        var rehearsal = NeighborhoodRehearsal(neighborhood: neighborhood, policy: base, until: end)
        await rehearsal.run()
        guard let baseline = rehearsal.baseline, let agents = rehearsal.agents else { throw fail("the rehearsal did not run") }
        if json {
            print(String(decoding: try rehearsal.json(), as: UTF8.self))
            return
        }
        let span = rehearsal.end - neighborhood.startTime
        print("neighborhood \(neighborhood.name ?? path): \(neighborhood.transformers.count) transformers, \(Int(span)) s simulated, "
            + "to \(Self.clock(rehearsal.end, clockScenario)) (local)")
        for (before, after) in zip(baseline.transformers, agents.transformers) {
            print("== transformer \(before.id)")
            print(RunFigures.sideBySide(before.figures, after.figures, titles: ("no agent", "v2g-agent"), evRows: false))
            let modes = (rehearsal.agentModeSeconds[before.id] ?? [:]).sorted { $0.key.rawValue < $1.key.rawValue }
                .map { "\($0.key.rawValue) \(Int($0.value)) s" }.joined(separator: ", ")
            print("agent modes: \(modes)")
        }
        print("== neighborhood (the worst transformer for neutral, VUF, hot-spot and band; sums for the rest)")
        print(RunFigures.sideBySide(baseline.neighborhood, agents.neighborhood, titles: ("no agents", "v2g-agents"), evRows: false))
        for (title, figures) in [("no agents", baseline), ("v2g-agents", agents)] {
            let net = figures.netImportKW
            print("net import, \(title): \(Self.kWh(figures.importedKWh)) kWh in, \(Self.kWh(figures.exportedKWh)) kWh out, "
                + "\(Int(figures.intervalS)) s means \(Self.kWh(net.min() ?? 0))…\(Self.kWh(net.max() ?? 0)) kW")
        }
    }

    /// One decimal, without Foundation's formatting.
    private static func kWh(_ value: Double) -> String {
        guard value.isFinite else { return "n/a" }
        let tenths = (value * 10).rounded()
        return "\(tenths < 0 ? "-" : "")\(Int(abs(tenths)) / 10).\(Int(abs(tenths)) % 10)"
    }
}
