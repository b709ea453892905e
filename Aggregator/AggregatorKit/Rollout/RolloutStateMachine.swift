/// The staged rollout of one bundle as a pure state machine: no I/O, the time passed in, every decision returned
/// as actions for the caller to persist, log and schedule.
///
/// canary → wave 1 → … → wave W → done. A stage passes when every agent in it has reported, at most
/// `maxFailures` of them failed (rejected, reverted, or applied with a trip, safe-state time or an alarm), every
/// other one applied, and `soakMs` has passed since the last of them applied with all of them still healthy.
/// The rollout halts by itself as soon as the failures counted against the current stage exceed `maxFailures`:
/// those of its own agents, plus agents of earlier stages that turned bad after their stage had passed. A halted,
/// aborted or done rollout never opens another stage; a paused one holds until resumed.
public struct RolloutStateMachine: Sendable {
    public private(set) var rollout: Rollout
    /// Agent id → index in `rollout.agents`.
    private let index: [String: Int]

    /// Resumes a rollout read back from the store (after a restart).
    public init(restoring rollout: Rollout) {
        self.rollout = rollout
        index = Dictionary(uniqueKeysWithValues: rollout.agents.enumerated().map { ($1.agentID, $0) })
    }

    /// A new rollout, its canary open at `nowMs`.
    public static func start(id: Int64, version: Int, plan: RolloutPlan, by operatorName: String, nowMs: Int64) -> (RolloutStateMachine, [RolloutAction]) {
        var agents: [AgentProgress] = []
        for (stage, members) in plan.stages.enumerated() {
            for agent in members { agents.append(AgentProgress(agentID: agent, stage: stage)) }
        }
        let rollout = Rollout(
            id: id, version: version, plan: plan, state: .running, stage: 0, stageOpenedAtMs: nowMs, soakStartedAtMs: nil,
            haltReasons: [], createdAtMs: nowMs, createdBy: operatorName, updatedAtMs: nowMs, revision: 1, agents: agents)
        return (RolloutStateMachine(restoring: rollout), [.stageOpened(stage: 0, agents: plan.stages[0])])
    }

    // MARK: Events

    /// An agent's report on this rollout's bundle.
    public mutating func report(_ report: PolicyReport, from agentID: String, nowMs: Int64) throws(RolloutCommandError) -> [RolloutAction] {
        guard let position = index[agentID] else { throw .notInRollout(agentID: agentID, rolloutID: rollout.id) }
        guard report.version == rollout.version else { throw .wrongVersion(report.version, rolloutVersion: rollout.version) }
        // Only an agent that was handed the bundle can have applied or refused it.
        guard offers(agentID) else { throw .notReached(agentID: agentID, rollout: rollout) }
        var agent = rollout.agents[position]
        let before = agent
        agent.health = agent.health.merged(with: report.health)
        agent.reportedAtMs = nowMs
        agent.agentTime = report.at ?? agent.agentTime
        switch report.result {
        case .applied:
            // A refusal or a revert stands: the agent does not run this bundle, whatever a later report says.
            if agent.status == .pending || agent.status == .applied {
                agent.status = .applied
                agent.appliedAtMs = agent.appliedAtMs ?? nowMs
                if let reason = report.reason { agent.reason = reason }
            }
        case .rejected:
            agent.status = .rejected(code: report.code ?? "UNKNOWN")
            agent.reason = report.reason
        case .reverted:
            agent.status = .reverted
            agent.reason = [report.code, report.reason].compactMap { $0 }.joined(separator: ": ")
            if agent.reason?.isEmpty == true { agent.reason = nil }
        }
        guard agent != before else { return [] }
        rollout.agents[position] = agent
        var actions = touch(nowMs, agents: [agentID])
        actions += evaluate(nowMs: nowMs)
        return actions
    }

    /// The agent received the bundle (a 200 to its GET): from now on it is served even if the rollout stops.
    public mutating func fetched(by agentID: String, nowMs: Int64) -> [RolloutAction] {
        guard let position = index[agentID], rollout.agents[position].fetchedAtMs == nil else { return [] }
        rollout.agents[position].fetchedAtMs = nowMs
        return touch(nowMs, agents: [agentID])
    }

    /// Time passes: a soak may end.
    public mutating func tick(nowMs: Int64) -> [RolloutAction] {
        evaluate(nowMs: nowMs)
    }

    public mutating func pause(nowMs: Int64) throws(RolloutCommandError) -> [RolloutAction] {
        guard rollout.state == .running else { throw .cannot("pause", rollout.state) }
        rollout.state = .paused
        return touch(nowMs) + [.paused]
    }

    /// Back to running; whatever happened meanwhile (reports, a soak that ended) is judged at once.
    public mutating func resume(nowMs: Int64) throws(RolloutCommandError) -> [RolloutAction] {
        guard rollout.state == .paused else { throw .cannot("resume", rollout.state) }
        rollout.state = .running
        return touch(nowMs) + [.resumed] + evaluate(nowMs: nowMs)
    }

    public mutating func abort(nowMs: Int64) throws(RolloutCommandError) -> [RolloutAction] {
        guard rollout.state == .running || rollout.state == .paused || rollout.state == .halted else { throw .cannot("abort", rollout.state) }
        rollout.state = .aborted
        return touch(nowMs) + [.aborted]
    }

    // MARK: Serving

    /// Whether `agentID` may be served the bundle now: agents of the stages opened so far while the rollout runs,
    /// every agent once it is done, and always an agent that already received it (it is theirs; a 304 keeps
    /// them quiet). A paused, halted or aborted rollout hands it to nobody new.
    public func offers(_ agentID: String) -> Bool {
        guard let position = index[agentID] else { return false }
        let agent = rollout.agents[position]
        if agent.fetchedAtMs != nil { return true }
        switch rollout.state {
        case .done: return true
        case .running: return agent.stage <= rollout.stage
        case .paused, .halted, .aborted: return false
        }
    }

    public func contains(_ agentID: String) -> Bool { index[agentID] != nil }

    // MARK: The rules

    /// Judges the current stage: halt, wait, start the soak, or pass to the next stage (repeatedly).
    private mutating func evaluate(nowMs: Int64) -> [RolloutAction] {
        var actions: [RolloutAction] = []
        while rollout.state == .running {
            let failures = countedFailures()
            if failures.count > rollout.plan.maxFailures {
                let name = rollout.plan.stageName(rollout.stage)
                rollout.state = .halted
                rollout.haltReasons = failures.map(\.failureLine) + [
                    "\(failures.count) failure\(failures.count == 1 ? "" : "s") counted against the \(name), more than max_failures \(rollout.plan.maxFailures)",
                ]
                actions += touch(nowMs) + [.halted(reasons: rollout.haltReasons)]
                return actions
            }
            let members = rollout.agents.filter { $0.stage == rollout.stage }
            let waiting = members.filter { !$0.isFailure && !$0.isGood }
            guard waiting.isEmpty else {
                if rollout.soakStartedAtMs != nil {
                    rollout.soakStartedAtMs = nil
                    actions += touch(nowMs)
                }
                return actions
            }
            // Every agent has reported: the soak runs from the last apply (or, for a failure within the allowance,
            // its last report).
            let soakStart = members.compactMap { $0.isGood ? $0.appliedAtMs : $0.reportedAtMs }.max() ?? nowMs
            if rollout.soakStartedAtMs != soakStart {
                rollout.soakStartedAtMs = soakStart
                actions += touch(nowMs) + [.soakStarted(stage: rollout.stage, endsAtMs: soakStart + rollout.plan.soakMs)]
            }
            guard nowMs >= soakStart + rollout.plan.soakMs else {
                actions.append(.wakeAt(soakStart + rollout.plan.soakMs))
                return actions
            }
            actions += passStage(nowMs: nowMs)
        }
        return actions
    }

    /// Failures that count against the current stage: its own agents' failures, and those of earlier stages'
    /// agents that were still good when their stage passed.
    private func countedFailures() -> [AgentProgress] {
        rollout.agents.filter { $0.stage <= rollout.stage && $0.isFailure && !$0.tolerated }
    }

    private mutating func passStage(nowMs: Int64) -> [RolloutAction] {
        var tolerated: [String] = []
        for position in rollout.agents.indices where rollout.agents[position].stage <= rollout.stage {
            if rollout.agents[position].isFailure, !rollout.agents[position].tolerated {
                rollout.agents[position].tolerated = true
                tolerated.append(rollout.agents[position].agentID)
            }
        }
        let passed = rollout.stage
        rollout.soakStartedAtMs = nil
        if passed + 1 < rollout.plan.stages.count {
            rollout.stage = passed + 1
            rollout.stageOpenedAtMs = nowMs
            return touch(nowMs, agents: tolerated) + [
                .stagePassed(stage: passed), .stageOpened(stage: rollout.stage, agents: rollout.plan.stages[rollout.stage]),
            ]
        }
        rollout.state = .done
        return touch(nowMs, agents: tolerated) + [.stagePassed(stage: passed), .completed]
    }

    /// Records a change: a new revision, and which rows the store must write.
    private mutating func touch(_ nowMs: Int64, agents: [String] = []) -> [RolloutAction] {
        rollout.revision += 1
        rollout.updatedAtMs = nowMs
        return [.save(agents: agents)]
    }
}

/// What the caller does after an event, in order.
public enum RolloutAction: Sendable, Hashable {
    /// Write the rollout's header and these agents' rows (the newest revision wins).
    case save(agents: [String])
    case stageOpened(stage: Int, agents: [String])
    case soakStarted(stage: Int, endsAtMs: Int64)
    case stagePassed(stage: Int)
    case halted(reasons: [String])
    case completed
    case paused
    case resumed
    case aborted
    /// Tick again at this time (a soak ends).
    case wakeAt(Int64)
}

/// An operator command or a report that does not fit the rollout's state.
public struct RolloutCommandError: Error, Sendable, Hashable, CustomStringConvertible {
    private enum Code: String, Sendable, Hashable {
        case notInRollout = "rollout.not_a_member"
        case wrongVersion = "rollout.wrong_version"
        case invalidTransition = "rollout.invalid_transition"
        case notReached = "rollout.not_reached"
    }

    private let code: Code
    public let message: String

    private init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    static func notInRollout(agentID: String, rolloutID: Int64) -> Self {
        Self(.notInRollout, "agent \(agentID) is not in rollout \(rolloutID)")
    }

    static func wrongVersion(_ version: Int, rolloutVersion: Int) -> Self {
        Self(.wrongVersion, "the report is about version \(version), the rollout is of version \(rolloutVersion)")
    }

    static func notReached(agentID: String, rollout: Rollout) -> Self {
        Self(.notReached, "rollout \(rollout.id) has not handed its bundle to agent \(agentID) (it is \(rollout.state.rawValue) at the \(rollout.plan.stageName(rollout.stage)))")
    }

    static func cannot(_ command: String, _ state: RolloutState) -> Self {
        let hint: String
        switch state {
        case .halted: hint = " (a halted rollout does not resume: abort it and roll out a new, higher version)"
        case .done, .aborted: hint = " (it is over)"
        case .running: hint = " (it is running)"
        case .paused: hint = " (it is paused)"
        }
        return Self(.invalidTransition, "cannot \(command) a rollout that is \(state.rawValue)\(hint)")
    }

    /// Short, fixed label.
    public var label: String { code.rawValue }
    public var description: String { "\(code.rawValue): \(message)" }
}
