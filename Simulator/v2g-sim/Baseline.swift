import ArgumentParser
import FoundationEssentials
import GridCore
import SimKit

/// The run without any agent, in process and unpaced: the "before" a demo compares the agents' run with.
struct Baseline: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Play a scenario or a neighborhood with no agent (every EV charges at its request), in process, and report.",
        discussion: """
            The same span and the same report as `run` (docs/simulator.md): to the end of the scenario or
            neighborhood unless --duration-s cuts it short; --metrics-out and --json give the run report's JSON
            (for a neighborhood, NeighborhoodReport with every setpoint count 0).
            """
    )

    @Option(name: .long, help: "Scenario file (JSON, docs/simulator.md); or give --neighborhood.")
    var scenario: String?

    @Option(name: .long, help: "Neighborhood file (JSON, docs/simulator.md, \"Neighborhood\").")
    var neighborhood: String?

    @Option(name: .long, help: "Stop after this many simulated seconds (default: the duration in the file).")
    var durationS: Double?

    @Option(name: .long, help: "Write the report here as JSON.")
    var metricsOut: String?

    @Flag(name: .long, help: "Print the report as JSON instead of text.")
    var json = false

    func validate() throws {
        guard (scenario == nil) != (neighborhood == nil) else {
            throw ValidationError("give exactly one of --scenario FILE and --neighborhood FILE")
        }
        if let durationS, !(durationS.isFinite && durationS > 0) {
            throw ValidationError("--duration-s must be a positive number of seconds, got \(durationS)")
        }
    }

    func run() async throws {
        let bytes: [UInt8]
        let text: String
        if let neighborhood {
            let played = try ScenarioInputs.neighborhood(neighborhood)
            var loop = NeighborhoodLoop(neighborhood: played, policy: nil)
            await loop.run(until: min(played.endTime, played.startTime + (durationS ?? played.durationS)))
            let report = NeighborhoodReport(neighborhood: played, simulations: loop.simulations)
            (bytes, text) = (try report.json(), report.text)
        } else if let scenario {
            let played = try ScenarioInputs.scenario(scenario)
            var loop = InProcessLoop(scenario: played, policy: nil)
            loop.run(until: min(played.endTime, played.startTime + (durationS ?? played.durationS)))
            let report = ScenarioReport(simulation: loop.simulation)
            (bytes, text) = (try report.json(), report.text)
        } else {
            throw fail("give --scenario FILE or --neighborhood FILE")
        }
        print(json ? String(decoding: bytes, as: UTF8.self) : text)
        if let metricsOut {
            do { try Data(bytes).write(to: URL(filePath: metricsOut), options: .atomic) } catch { throw fail("cannot write \(metricsOut): \(error)") }
        }
    }
}
