import AggregatorKit
import FoundationEssentials
public import GridCore
public import MeshPlanner
import StrictJSON

/// `v2g-adm dispatch set|list|clear`: the neighborhood goals on a running aggregator (docs/neighborhood.md, "Goals
/// over the API"). Exit statuses as for `rollout`: 0 done, 1 the aggregator refused, 2 a bad flag or file, 3 the
/// aggregator could not be reached.
public enum GoalTool {
    /// A goal on the command line; `file` stands for all the others.
    public struct Flags: Sendable, Equatable {
        public var file: String?
        public var id: String?
        /// `discharge`, `absorb`, `import-cap` or `schedule`.
        public var kind: String?
        public var powerKW: Double?
        public var limitKW: Double?
        public var start: String?
        public var end: String?
        /// `--for 30m`: the end as a duration after the start.
        public var duration: String?
        public var priority: Int?
        public var stepsFile: String?

        public init(
            file: String? = nil, id: String? = nil, kind: String? = nil, powerKW: Double? = nil, limitKW: Double? = nil, start: String? = nil,
            end: String? = nil, duration: String? = nil, priority: Int? = nil, stepsFile: String? = nil
        ) {
            (self.file, self.id, self.kind, self.powerKW, self.limitKW) = (file, id, kind, powerKW, limitKW)
            (self.start, self.end, self.duration, self.priority, self.stepsFile) = (start, end, duration, priority, stepsFile)
        }
    }

    /// The goal the flags describe, checked as the aggregator will check it; a bad flag is one line naming it.
    public static func goal(_ flags: Flags, now: Timestamp) throws(RolloutToolError) -> NeighborhoodGoal {
        if let file = flags.file {
            let named = [
                ("--id", flags.id != nil), ("--kind", flags.kind != nil), ("--power-kw", flags.powerKW != nil), ("--limit-kw", flags.limitKW != nil),
                ("--start", flags.start != nil), ("--end", flags.end != nil), ("--for", flags.duration != nil), ("--priority", flags.priority != nil),
                ("--steps", flags.stepsFile != nil),
            ].filter { $0.1 }.map { $0.0 }
            guard named.isEmpty else { throw .usage("\(named[0]): give the goal either in --file or in flags, not both") }
            let bytes: [UInt8]
            do { bytes = try DispatchPlan.read(file) } catch { throw .usage(error.message) }
            do { return try StrictJSON.decodeExactly(NeighborhoodGoal.self, from: bytes) } catch { throw .usage("\(file): \(error.description)") }
        }
        guard let id = flags.id else { throw .usage("--id: required (the goal's name, 1 to 128 characters)") }
        let kinds = ["discharge": NeighborhoodGoal.Kind.discharge, "absorb": .absorb, "import-cap": .importCap, "schedule": .schedule]
        guard let kindText = flags.kind else { throw .usage("--kind: required (discharge, absorb, import-cap or schedule)") }
        guard let kind = kinds[kindText] else { throw .usage("--kind: expected discharge, absorb, import-cap or schedule; got \(kindText)") }
        for (flag, given, wanted) in [
            ("--power-kw", flags.powerKW != nil, kind == .discharge || kind == .absorb), ("--limit-kw", flags.limitKW != nil, kind == .importCap),
            ("--steps", flags.stepsFile != nil, kind == .schedule),
        ] {
            let goalName = (kind == .absorb || kind == .importCap ? "an " : "a ") + kindText + " goal"
            if given && !wanted { throw .usage("\(flag): does not apply to \(goalName)") }
            if wanted && !given { throw .usage("\(flag): required for \(goalName)") }
        }
        for (flag, value) in [("--power-kw", flags.powerKW), ("--limit-kw", flags.limitKW)] {
            if let value, !value.isFinite { throw .usage("\(flag): expected a finite number of kW; got \(value)") }
        }
        let action: NeighborhoodGoal.Action
        var firstStep: Timestamp?
        switch kind {
        case .discharge: action = .discharge(kilowatts: flags.powerKW ?? 0)
        case .absorb: action = .absorb(kilowatts: flags.powerKW ?? 0)
        case .importCap: action = .importCap(kilowatts: flags.limitKW ?? 0)
        case .schedule:
            let path = flags.stepsFile ?? ""
            let steps: [ScheduleStep]
            do {
                steps = try StrictJSON.decodeExactly([ScheduleStep].self, from: try DispatchPlan.read(path))
            } catch let error as DispatchInputError {
                throw .usage("--steps \(error.message)")
            } catch {
                throw .usage("--steps \(path): \(error)")
            }
            firstStep = steps.first?.at
            action = .schedule(steps)
        }
        // A schedule starts with its first step unless --start says otherwise; anything else starts now.
        let start = try flags.start.map { text throws(RolloutToolError) in try time(text, flag: "--start", now: now) } ?? firstStep ?? wholeSecond(now)
        let end: Timestamp
        switch (flags.end, flags.duration) {
        case (let text?, nil): end = try time(text, flag: "--end", now: now)
        case (nil, let text?):
            guard let time = AdmTime.parse(text.hasPrefix("+") ? text : "+" + text, now: start) else {
                throw .usage("--for: expected a duration such as 45s, 30m, 12h or 2d; got \(text)")
            }
            end = time
        case (nil, nil): throw .usage("--end: required (or --for 30m)")
        case (_?, _?): throw .usage("--for: give --end or --for, not both")
        }
        let goal = NeighborhoodGoal(id: id, start: start, end: end, priority: flags.priority ?? 0, action: action)
        return try check(goal, endFlag: flags.duration != nil ? "--for" : "--end", stepsFile: flags.stepsFile)
    }

    /// The goal through the decoder the aggregator uses, its refusal turned into the flag that caused it.
    static func check(_ goal: NeighborhoodGoal, endFlag: String, stepsFile: String?) throws(RolloutToolError) -> NeighborhoodGoal {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let bytes: [UInt8]
        do { bytes = Array(try encoder.encode(goal)) } catch { throw .usage("the goal cannot be written as JSON: \(error)") }
        do { return try StrictJSON.decodeExactly(NeighborhoodGoal.self, from: bytes) } catch {
            let field = error.field
            let flag: String
            switch field.split(separator: ".").first.map(String.init) ?? field {
            case "id": flag = "--id"
            case "start": flag = "--start"
            case "end": flag = endFlag
            case "priority": flag = "--priority"
            case "power_kw": flag = "--power-kw"
            case "limit_kw": flag = "--limit-kw"
            case let other where other.hasPrefix("steps"): flag = "--steps \(stepsFile ?? "")"
            default: flag = field.isEmpty ? "the goal" : field
            }
            throw .usage("\(flag): \(field.hasPrefix("steps") ? field + ": " : "")\(error.reason)")
        }
    }

    static func time(_ text: String, flag: String, now: Timestamp) throws(RolloutToolError) -> Timestamp {
        guard let time = AdmTime.parse(text, now: now) else { throw .usage("\(flag): expected \(AdmTime.help); got \(text)") }
        return time
    }

    static func wholeSecond(_ now: Timestamp) -> Timestamp { Timestamp(secondsSinceEpoch: now.secondsSinceEpoch.rounded(.down)) }

    // MARK: Requests

    /// `set`: posts the goal; prints it as kept and every conflict it takes part in over its window.
    public static func set(_ client: AggregatorClient, goal: NeighborhoodGoal) async throws(RolloutToolError) -> RolloutTool.Outcome {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let body: [UInt8]
        do { body = Array(try encoder.encode(goal)) } catch { throw .usage("the goal cannot be written as JSON: \(error)") }
        let (_, answer) = try await client.post("/v1/goals", body: body)
        let set = try RolloutTool.decode(GoalSetResponse.self, answer)
        var lines = ["set goal \(set.goal.goal.id): \(set.goal.goal.summary)\(set.goal.active ? " (active now)" : "")"]
        lines += set.conflicts.map { conflict in
            "conflict from \(RolloutTool.time(conflict.fromMs)): \(conflict.goal) yields to \(conflict.yieldsTo) (\(conflict.resolution.rawValue): \(conflict.detail))"
        }
        if set.conflicts.isEmpty { lines.append("no conflict with the goals kept") }
        return RolloutTool.Outcome(lines: lines, exitStatus: 0)
    }

    /// `list`: a table of every goal, what is in force now and what yields; with `json`, the aggregator's answer.
    public static func list(_ client: AggregatorClient, json: Bool) async throws(RolloutToolError) -> RolloutTool.Outcome {
        let answer = try await client.get("/v1/goals")
        let list = try RolloutTool.decode(GoalListResponse.self, answer)
        if json { return RolloutTool.Outcome(lines: [String(decoding: answer, as: UTF8.self)], exitStatus: 0) }
        return RolloutTool.Outcome(lines: table(list), exitStatus: 0)
    }

    /// `clear`: removes one goal.
    public static func clear(_ client: AggregatorClient, id: String) async throws(RolloutToolError) -> RolloutTool.Outcome {
        guard GoalRow.fitsInPath(id) else { throw .usage("--id: \(id) is not a goal id (\(GoalRow.idRule))") }
        let cleared = try RolloutTool.decode(GoalClearResponse.self, try await client.delete("/v1/goals/\(id)"))
        return RolloutTool.Outcome(lines: ["cleared goal \(cleared.id)"], exitStatus: 0)
    }

    static func table(_ list: GoalListResponse) -> [String] {
        let now = Timestamp(secondsSinceEpoch: Double(list.nowMs) / 1000)
        var rows = [["ID", "KIND", "KW", "START", "END", "PRIORITY", "STATE", "SET BY"]]
        for view in list.goals {
            let goal = view.goal
            let kw: String
            switch goal.action {
            case .discharge(let value), .absorb(let value), .importCap(let value): kw = NeighborhoodGoal.kilowatts(value)
            case .schedule(let steps): kw = "\(steps.count) step\(steps.count == 1 ? "" : "s")"
            }
            let state = view.active ? "active" : goal.end <= now ? "ended" : "upcoming"
            rows.append([goal.id, goal.kind.rawValue, kw, goal.start.rfc3339, goal.end.rfc3339, String(goal.priority), state, view.setBy])
        }
        let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        var lines = rows.map { row in
            zip(row, widths).map { $0 + String(repeating: " ", count: $1 - $0.count) }.joined(separator: "  ").trimmingSuffixSpaces()
        }
        if list.goals.isEmpty { lines = ["no goal kept"] }
        let power = list.inForce.power.map { "power \($0.goal) (fleet target \(NeighborhoodGoal.kilowatts($0.targetKW)) kW)" } ?? "no power goal"
        let cap = list.inForce.cap.map { "cap \($0.goal) (\(NeighborhoodGoal.kilowatts($0.limitKW)) kW)" } ?? "no import cap"
        lines.append("in force now: \(power); \(cap)")
        lines += list.conflicts.map { "conflict: \($0.goal) yields to \($0.yieldsTo) (\($0.resolution.rawValue): \($0.detail))" }
        lines += list.unreadable.map { "unreadable: \($0.id): \($0.message)" }
        return lines
    }
}

extension String {
    fileprivate func trimmingSuffixSpaces() -> String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}
