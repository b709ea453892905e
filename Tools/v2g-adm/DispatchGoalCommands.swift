import AdmKit
import ArgumentParser
import FoundationEssentials
import GridCore

private let goalExitCodes = """
    Exit status: 0 done, 1 the aggregator refused (REFUSED STATUS LABEL: reason, naming the field), 2 a bad flag or \
    file (one line naming it), 3 the aggregator could not be reached (network, TLS).
    """

extension Dispatch {
    /// `v2g-adm dispatch set`: one goal, from flags or a file, to the aggregator.
    struct SetGoal: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set",
            abstract: "Set a neighborhood goal on the aggregator and print the conflicts it takes part in over its window.",
            discussion: """
                Either --file GOAL.json (one goal as in a goal file's "goals" list) or the flags. A schedule's --steps \
                file is a JSON list of {"at": TIME, "power_kw": KW} (+ = charging); without --start it starts at its \
                first step; any other goal starts now.
                """ + " " + goalExitCodes)

        @OptionGroup var connection: AggregatorOptions
        @Option(help: "One goal as JSON (instead of the flags below).") var file: String?
        @Option(help: "The goal's id: letters, digits, . _ - ~ (1–128).") var id: String?
        @Option(help: "discharge, absorb, import-cap or schedule.") var kind: String?
        // A negative number is a value here (an export cap; a sign typed by mistake is named by the check), not a flag.
        @Option(name: .customLong("power-kw"), parsing: .unconditional, help: "discharge/absorb: the EV fleet's power, 0–100000 kW.")
        var powerKW: Double?
        @Option(name: .customLong("limit-kw"), parsing: .unconditional, help: "import-cap: what the transformers may draw in all, kW (negative: they must export).")
        var limitKW: Double?
        @Option(help: "Start: \(AdmTime.help) (default: now).") var start: String?
        @Option(help: "End: \(AdmTime.help).") var end: String?
        @Option(name: .customLong("for"), help: "Instead of --end: how long after the start (45s, 30m, 12h, 2d).") var duration: String?
        @Option(parsing: .unconditional, help: "Higher wins among overlapping power goals, −1000–1000 (default 0).") var priority: Int?
        @Option(help: "schedule: a JSON list of {\"at\", \"power_kw\"} steps.") var steps: String?

        func run() async throws {
            let flags = GoalTool.Flags(
                file: file, id: id, kind: kind, powerKW: powerKW, limitKW: limitKW, start: start, end: end, duration: duration,
                priority: priority, stepsFile: steps)
            try await perform { () async throws(RolloutToolError) in
                let goal = try GoalTool.goal(flags, now: Timestamp(secondsSinceEpoch: Date().timeIntervalSince1970))
                return try await GoalTool.set(try connection.client(), goal: goal)
            }
        }
    }

    /// `v2g-adm dispatch list`: every goal kept, what is in force now, what yields.
    struct ListGoals: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "List the aggregator's goals: a table, what is in force now and the conflicts at this instant.",
            discussion: goalExitCodes)

        @OptionGroup var connection: AggregatorOptions
        @Flag(help: "Print the aggregator's JSON answer instead of the table.") var json = false

        func run() async throws {
            try await perform { () async throws(RolloutToolError) in try await GoalTool.list(try connection.client(), json: json) }
        }
    }

    /// `v2g-adm dispatch clear`: removes one goal.
    struct ClearGoal: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "clear", abstract: "Clear (remove) a goal from the aggregator.", discussion: goalExitCodes)

        @OptionGroup var connection: AggregatorOptions
        @Option(help: "The goal's id.") var id: String

        func run() async throws {
            try await perform { () async throws(RolloutToolError) in try await GoalTool.clear(try connection.client(), id: id) }
        }
    }
}
