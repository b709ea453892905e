import AgentKit
import ArgumentParser
import GridCore

/// Dry run: one control cycle on a snapshot, printing what the agent would do and why.
struct Plan: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run one control cycle on a snapshot and print each charger's setpoint and the reasons.",
        discussion: """
            The snapshot holds one cycle's inputs (meter, chargers and EVs, optional envelope and agent state);
            see docs/plan.md. Without --policy the built-in safe defaults apply. Nothing is written to any device.
            """
    )

    @Option(name: .long, help: "Snapshot JSON file (meter, chargers, optional state).")
    var snapshot: String

    @Option(name: .long, help: "Policy JSON file; default: the built-in policy.")
    var policy: String?

    @Flag(name: .long, help: "Print the plan as JSON.")
    var json = false

    func run() throws {
        do {
            let policy = try policy.map { path throws(ConfigFileError) in try ConfigFile.loadPolicy(path: path) }
                ?? .builtInSafeDefaults
            let snapshot = try ConfigFile.load(PlanSnapshot.self, path: snapshot)
            let outcome = ControlCycle(policy: policy).run(snapshot.state, inputs: snapshot.inputs, now: snapshot.time)
            let report = PlanReport(snapshot: snapshot, outcome: outcome)
            guard json else { return print(report.text()) }
            do {
                print(try report.json())
            } catch {
                throw fail("\(self.snapshot): the plan cannot be printed as JSON")
            }
        } catch let error as ConfigFileError {
            throw fail(error.description)
        }
    }
}
