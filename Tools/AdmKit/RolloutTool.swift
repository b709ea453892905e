import AggregatorKit
import FoundationEssentials
import GridCore

/// `v2g-adm rollout …` and `v2g-adm roots …`: requests to the aggregator and the lines to print
/// (docs/rollout.md). Exit statuses: 0 done (for `status`: running, paused or done), 1 the aggregator refused,
/// 2 a bad command line or file, 3 the aggregator could not be reached, 4 (`status`) the rollout halted or was aborted.
public enum RolloutTool {
    /// What a command printed and how it ends.
    public struct Outcome: Sendable, Equatable {
        public var lines: [String]
        public var exitStatus: Int32
    }

    /// Exit status of `status` for a rollout that halted or was aborted.
    public static let stoppedExitStatus: Int32 = 4

    public static func start(
        _ client: AggregatorClient, bundlePath: String, canary: Int, waves: Int, soakS: Int, maxFailures: Int, agents: [String]
    ) async throws(RolloutToolError) -> Outcome {
        let bytes: [UInt8]
        do { bytes = try TrustFiles.read(bundlePath) } catch { throw .usage(error.message) }
        let request = RolloutRequest(
            bundle: bytes, canary: canary, waves: waves, soakS: soakS, maxFailures: maxFailures, agents: agents.isEmpty ? nil : agents)
        let (_, body) = try await client.post("/v1/rollouts", body: request.encoded())
        let view = try decode(RolloutView.self, body)
        return Outcome(lines: ["started rollout \(view.id): bundle version \(view.version) to \(view.agentCount) agents, \(planLine(view))"] + describe(view, agents: false), exitStatus: 0)
    }

    public static func status(_ client: AggregatorClient, id: Int64?, agents: Bool) async throws(RolloutToolError) -> Outcome {
        guard let id else {
            let list = try decode(RolloutList.self, try await client.get("/v1/rollouts"))
            guard !list.rollouts.isEmpty else { return Outcome(lines: ["no rollout yet"], exitStatus: 0) }
            return Outcome(lines: list.rollouts.map(summary), exitStatus: 0)
        }
        let view = try decode(RolloutView.self, try await client.get("/v1/rollouts/\(id)"))
        let stopped = view.state == "halted" || view.state == "aborted"
        return Outcome(lines: describe(view, agents: agents), exitStatus: stopped ? stoppedExitStatus : 0)
    }

    /// `pause`, `resume` or `abort`.
    public static func command(_ client: AggregatorClient, _ command: String, id: Int64) async throws(RolloutToolError) -> Outcome {
        let (_, body) = try await client.post("/v1/rollouts/\(id)/\(command)", body: [])
        return Outcome(lines: [summary(try decode(RolloutView.self, body))], exitStatus: 0)
    }

    /// Publishes each root file in order (`DIR/roots/2.json`, `3.json`, …); one already known is fine.
    public static func publishRoots(_ client: AggregatorClient, paths: [String]) async throws(RolloutToolError) -> Outcome {
        var lines: [String] = []
        for path in paths {
            let bytes: [UInt8]
            do { bytes = try TrustFiles.read(path) } catch { throw .usage(error.message) }
            let (status, body) = try await client.post("/v1/roots", body: bytes)
            let answer = try decode(RootAnswer.self, body)
            lines.append("\(path): root version \(answer.version ?? 0) \(status == 201 ? "published and trusted" : "already known")")
        }
        return Outcome(lines: lines, exitStatus: 0)
    }

    public static func audit(_ client: AggregatorClient, limit: Int) async throws(RolloutToolError) -> Outcome {
        let log = try decode(AuditLog.self, try await client.get("/v1/audit?limit=\(limit)"))
        let lines = log.entries.map { entry in
            "\(time(entry.at_ms))  \(entry.operator)  \(entry.action)  \(entry.target)  \(entry.outcome)\(entry.detail.isEmpty ? "" : "  (\(entry.detail))")"
        }
        return Outcome(lines: lines.isEmpty ? ["the audit log is empty"] : lines, exitStatus: 0)
    }

    // MARK: Lines

    /// The status: one line for where it stands, one per halt reason, one per stage, and with `agents` one per agent.
    static func describe(_ view: RolloutView, agents: Bool) -> [String] {
        var lines = [summary(view)]
        let counts = view.counts
        lines.append(
            "agents: \(view.agentCount) (\(counts.applied) applied, \(counts.rejected) rejected, \(counts.reverted) reverted, "
                + "\(counts.unhealthy) unhealthy, \(counts.pending) pending)")
        if view.state == "running", let soak = view.soak_ends_at_ms {
            lines.append("soak: the \(view.stage) soaks until \(time(soak))")
        }
        for reason in view.halt_reasons { lines.append("halted: \(reason)") }
        if let members = view.agents {
            for stage in 0..<view.stages {
                let inStage = members.filter { $0.stage == stage }
                let name = stage == 0 ? "canary" : "wave \(stage)"
                let open = stage <= view.stage_index ? "" : " (not reached)"
                let counted = Dictionary(grouping: inStage) { $0.status.split(separator: " ").first.map(String.init) ?? "" }.mapValues(\.count)
                let parts = ["applied", "rejected", "reverted", "pending"].compactMap { word in counted[word].map { "\($0) \(word)" } }
                lines.append("\(name): \(inStage.count) agents, \(parts.joined(separator: ", "))\(open)")
            }
            if agents {
                for agent in members {
                    var line = "  \(agent.agent_id)  \(agent.stage == 0 ? "canary" : "wave \(agent.stage)")  \(agent.status)"
                    if !agent.healthy { line += "  trips \(agent.trips), safe state \(agent.safe_state_s) s, alarms [\(agent.alarms.joined(separator: ", "))]" }
                    if let reason = agent.reason { line += "  \(reason)" }
                    lines.append(line)
                }
            }
        }
        return lines
    }

    static func summary(_ view: RolloutView) -> String {
        let place: String
        switch view.state {
        case "done": place = "done"
        case "running": place = "running, \(view.stage)"
        default: place = "\(view.state) at the \(view.stage)"
        }
        return "rollout \(view.id): bundle version \(view.version), \(place), started by \(view.created_by) at \(time(view.created_at_ms))"
    }

    static func planLine(_ view: RolloutView) -> String {
        "canary \(view.stage_sizes.first ?? 0), \(view.stages - 1) wave\(view.stages == 2 ? "" : "s") of \(view.stage_sizes.dropFirst().map(String.init).joined(separator: "/")), "
            + "soak \(view.soak_s) s, max_failures \(view.max_failures)"
    }

    static func time(_ ms: Int64) -> String {
        Timestamp(secondsSinceEpoch: Double(ms) / 1000).rfc3339
    }

    static func decode<T: Decodable>(_ type: T.Type, _ body: [UInt8]) throws(RolloutToolError) -> T {
        do { return try JSONDecoder().decode(type, from: Data(body)) } catch {
            throw .unreachable("the aggregator's answer is not what v2g-adm expects: \(error)")
        }
    }
}

// The aggregator's JSON, as far as `v2g-adm` reads it (docs/rollout.md).

struct RolloutView: Decodable {
    struct Counts: Decodable {
        let pending: Int
        let applied: Int
        let rejected: Int
        let reverted: Int
        let unhealthy: Int
    }
    struct Agent: Decodable {
        let agent_id: String
        let stage: Int
        let status: String
        let reason: String?
        let trips: Int
        let safe_state_s: Double
        let alarms: [String]
        let healthy: Bool
    }
    let id: Int64
    let version: Int
    let state: String
    let stage: String
    let stage_index: Int
    let stages: Int
    let stage_sizes: [Int]
    let soak_s: Int64
    let max_failures: Int
    let created_at_ms: Int64
    let created_by: String
    let soak_ends_at_ms: Int64?
    let halt_reasons: [String]
    let counts: Counts
    let agents: [Agent]?

    var agentCount: Int { stage_sizes.reduce(0, +) }
}

struct RolloutList: Decodable {
    let rollouts: [RolloutView]
}

struct RootAnswer: Decodable {
    let result: String
    let version: Int?
}

struct AuditLog: Decodable {
    struct Entry: Decodable {
        let id: Int64
        let at_ms: Int64
        let `operator`: String
        let action: String
        let target: String
        let outcome: String
        let detail: String
    }
    let entries: [Entry]
}
