import AdmKit
import ArgumentParser
import GridCore
import MeshPlanner

/// `v2g-adm dispatch …`: the neighborhood's goals and the planner (docs/neighborhood.md): a planning pass on files,
/// and the goals kept by a running aggregator.
struct Dispatch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Neighborhood dispatch: plan envelopes from a snapshot and goals; set, list and clear the aggregator's goals.",
        subcommands: [Plan.self, SetGoal.self, ListGoals.self, ClearGoal.self]
    )
}

extension Dispatch {
    /// `v2g-adm dispatch plan`: one planning pass through `MeshPlanner.plan`, the function the aggregator's planning
    /// service is to call every period (that service is not built yet).
    struct Plan: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Plan one pass on a neighborhood snapshot and print the allocation, the objective and the shortfall.",
            discussion: """
                The snapshot is JSON with a top-level "transformers" list (docs/neighborhood.md, examples in \
                examples/neighborhood/); the goal file is {"goals": [...]}. Without --now the snapshot's "time" is \
                used, else the wall clock. A bad file prints one line naming the file, the line, the field and the \
                reason, and exits 1.
                """
        )

        @Option(help: "Neighborhood snapshot (JSON).") var neighborhood: String
        @Option(help: "Goals (JSON); without it no goal is in force and no envelope is planned.") var goal: String?
        @Option(help: "Plan at this time: \(AdmTime.help).") var now: String?
        @Option(name: .customLong("horizon-min"), help: "Planning horizon in minutes, 1–120 (default 15).") var horizonMinutes: Double = 15
        @Option(name: .customLong("max-age-s"), help: "Reports older than this are left out, 1–3600 s (default 10).") var maxAgeS: Double = 10
        @Flag(help: "Print the plan as one JSON object.") var json = false

        func validate() throws {
            guard PlannerSettings.horizonRange.contains(horizonMinutes) else { throw ValidationError("--horizon-min must be 1–120; got \(horizonMinutes)") }
            guard PlannerSettings.reportAgeRange.contains(maxAgeS) else { throw ValidationError("--max-age-s must be 1–3600; got \(maxAgeS)") }
        }

        func run() throws {
            let wall = wallClockNow()
            let at = try now.map { try parseTime($0, option: "--now", now: wall) }
            do {
                let snapshot = try DispatchPlan.snapshot(try DispatchPlan.read(neighborhood), name: neighborhood)
                let goals = try goal.map { path throws(DispatchInputError) in try DispatchPlan.goals(try DispatchPlan.read(path), name: path) } ?? []
                let settings = PlannerSettings(horizonMinutes: horizonMinutes, maxReportAgeS: maxAgeS)
                let plan = MeshPlanner.plan(snapshot, goals: goals, now: at ?? snapshot.time ?? wall, settings: settings)
                print(json ? DispatchPlan.json(plan) : DispatchPlan.text(plan), terminator: "")
            } catch {
                writeStandardError("v2g-adm dispatch plan: \(error.message)\n")
                throw ExitCode.failure
            }
        }
    }
}
