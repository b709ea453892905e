import ArgumentParser
import FoundationEssentials
import GridCore
import SimKit

/// The closed loop in process: the scenario without an agent and with the agent's cycle, side by side.
struct Rehearse: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Play a scenario without an agent and with the agent's control cycle, in process, and compare.",
        discussion: """
            Both runs go to the last EV departure unless --until says otherwise. The transformer's nameplate and
            thermal parameters come from the scenario (the site); everything else from --policy, or the built-in
            defaults. With --json, one object {"baseline": M, "agent": M} (docs/simulator.md, "Rehearsal"). With
            --neighborhood, every transformer's agent runs autonomously (no aggregator), and M is the neighborhood's
            figures ("Neighborhood").
            """
    )

    @Option(name: .long, help: "Scenario file (JSON, docs/simulator.md); or give --neighborhood.")
    var scenario: String?

    @Option(name: .long, help: "Neighborhood file: several transformers on one clock (JSON, docs/simulator.md, \"Neighborhood\").")
    var neighborhood: String?

    @Option(name: .long, help: "Policy file (JSON, docs/policy.md); default: the built-in policy.")
    var policy: String?

    @Flag(name: .long, help: "Print one JSON object {\"baseline\": M, \"agent\": M} instead of the table.")
    var json = false

    @Option(name: .long, help: "Stop here: Unix seconds, +S (seconds after the start), or HH:MM (scenario local time, the first after the start).")
    var until: String?

    @Option(name: .long, help: "Days of this feeder without EVs the agent has measured before the night (its load history); default 0, a first night.")
    var historyDays = 0

    func validate() throws {
        guard (scenario == nil) != (neighborhood == nil) else {
            throw ValidationError("give exactly one of --scenario FILE and --neighborhood FILE")
        }
        guard (0...14).contains(historyDays) else { throw ValidationError("--history-days \(historyDays): expected 0 to 14") }
        // Not silently ignored: a neighborhood's agents start without history today.
        guard neighborhood == nil || historyDays == 0 else {
            throw ValidationError("--history-days applies to --scenario only; a neighborhood rehearsal starts without history")
        }
    }

    func run() async throws {
        if let neighborhood { return try await rehearseNeighborhood(neighborhood) }
        guard let scenarioPath = self.scenario else { throw fail("give --scenario FILE or --neighborhood FILE") }
        let scenario = try ScenarioInputs.scenario(scenarioPath)
        let base = try policy.map(ScenarioInputs.policy) ?? .builtInSafeDefaults
        let end = try until.map { try Self.time($0, in: scenario) }
        var rehearsal = Rehearsal(scenario: scenario, policy: scenario.sitePolicy(from: base), until: end, historyDays: historyDays)
        rehearsal.run()
        guard let baseline = rehearsal.baseline, let agent = rehearsal.agent else { throw fail("the rehearsal did not run") }
        if json {
            let bytes = try rehearsal.json()
            print(String(decoding: bytes, as: UTF8.self))
        } else {
            let span = rehearsal.end - scenario.startTime
            let memory = historyDays == 0 ? "first night, no load history" : "after \(historyDays) day(s) of load history"
            print("scenario \(scenario.name ?? scenarioPath): \(Int(span)) s simulated, to \(Self.clock(rehearsal.end, scenario)) (local), \(memory)")
            print(RunFigures.sideBySide(baseline, agent, titles: ("no agent", "v2g-agent")))
            let modes = rehearsal.agentModeSeconds.sorted { $0.key.rawValue < $1.key.rawValue }
                .map { "\($0.key.rawValue) \(Int($0.value)) s" }.joined(separator: ", ")
            print("agent modes: \(modes)")
        }
    }

    /// `text` as a time in `scenario`: Unix seconds, +S after the start, or HH:MM local.
    static func time(_ text: String, in scenario: Scenario) throws -> Timestamp {
        let start = scenario.startTime
        func bad() -> ExitCode { fail("--until \(text): expected Unix seconds, +SECONDS or HH:MM") }
        if text.hasPrefix("+") {
            guard let seconds = Double(text.dropFirst()), seconds.isFinite, seconds > 0 else { throw bad() }
            return start + seconds
        }
        let parts = text.split(separator: ":")
        if parts.count == 2 {
            guard let hours = Int(parts[0]), let minutes = Int(parts[1]), (0..<24).contains(hours), (0..<60).contains(minutes)
            else { throw bad() }
            let wanted = Double(hours) + Double(minutes) / 60
            var hoursAhead = wanted - scenario.hourOfDay(at: start)
            if hoursAhead <= 0 { hoursAhead += 24 }
            return start + hoursAhead * 3600
        }
        guard let epoch = Double(text), epoch.isFinite else { throw bad() }
        guard epoch > start.secondsSinceEpoch else { throw fail("--until \(text) is not after the scenario's start") }
        return Timestamp(secondsSinceEpoch: epoch)
    }

    static func clock(_ time: Timestamp, _ scenario: Scenario) -> String {
        let minutes = Int((scenario.hourOfDay(at: time) * 60).rounded()) % (24 * 60)
        let (h, m) = (minutes / 60, minutes % 60)
        return (h < 10 ? "0" : "") + "\(h):" + (m < 10 ? "0" : "") + "\(m)"
    }
}
