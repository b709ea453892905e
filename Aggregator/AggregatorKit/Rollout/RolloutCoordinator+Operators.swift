import PolicyTrust
import StrictJSON
import Synchronization

/// What operators do: start a rollout, pause, resume or abort it, publish a root. Each attempt, done or
/// refused, goes to the audit log with the operator's name.
extension RolloutCoordinator {
    /// A command on a running rollout.
    public enum Command: String, Sendable, CaseIterable {
        case pause, resume, abort
    }

    /// Verifies the bundle against the newest trusted root (the agents' own checks, without target and version),
    /// picks its agents and starts the canary. `fleet` is every agent the caller knows of (the telemetry fleet);
    /// agents that asked for a bundle or reported are added.
    public func start(_ request: RolloutRequest, by operatorName: String, fleet: [String]) async -> Result<Rollout, PolicyRefusal> {
        let nowMs = clock()
        let outcome = await prepare(request, fleet: fleet, nowMs: nowMs)
        let target: String
        switch outcome {
        case .failure(let refusal):
            let version = (try? PolicyBundle.inspect(request.bundle).version).map { "bundle version \($0)" } ?? "a bundle"
            await record(AuditEntry(
                atMs: nowMs, operatorName: operatorName, action: "rollout.start", target: version, outcome: refusal.outcome,
                detail: refusal.message))
            return .failure(refusal)
        case .success(let (bundle, plan)):
            target = "bundle version \(bundle.version)"
            let reserved: Result<Int64, PolicyRefusal> = state.withLock { state in
                if let refusal = Self.conflict(version: bundle.version, state) { return .failure(refusal) }
                state.reserved.insert(bundle.version)
                return .success((state.entries.keys.max() ?? 0) + 1)
            }
            guard case .success(let id) = reserved else {
                if case .failure(let refusal) = reserved {
                    await record(AuditEntry(
                        atMs: nowMs, operatorName: operatorName, action: "rollout.start", target: target, outcome: refusal.outcome,
                        detail: refusal.message))
                    return .failure(refusal)
                }
                fatalError("unreachable")
            }
            let (machine, actions) = RolloutStateMachine.start(id: id, version: bundle.version, plan: plan, by: operatorName, nowMs: nowMs)
            do {
                try await store.insert(machine.rollout, bundle: request.bundle)
            } catch {
                state.withLock { _ = $0.reserved.remove(bundle.version) }
                let refusal = PolicyRefusal(error.isConflict ? 409 : 503, error.label, "the rollout could not be stored: \(error.message)")
                await record(AuditEntry(
                    atMs: nowMs, operatorName: operatorName, action: "rollout.start", target: target, outcome: refusal.outcome,
                    detail: refusal.message))
                return .failure(refusal)
            }
            state.withLock { state in
                state.reserved.remove(bundle.version)
                state.entries[id] = Entry(machine: machine, bundle: request.bundle)
            }
            await apply(actions.filter { if case .save = $0 { false } else { true } }, to: machine.rollout)
            await record(AuditEntry(
                atMs: nowMs, operatorName: operatorName, action: "rollout.start", target: "rollout \(id) (\(target))", outcome: "ok",
                detail: Self.describe(plan)))
            return .success(machine.rollout)
        }
    }

    /// The verified bundle and the plan, or why not.
    private func prepare(_ request: RolloutRequest, fleet: [String], nowMs: Int64) async -> Result<(PolicyBundle, RolloutPlan), PolicyRefusal> {
        guard let root = trustRoot else {
            return .failure(PolicyRefusal(503, "trust.not_configured", "the aggregator has no trusted root (trust.root_file): it cannot verify a bundle"))
        }
        let bundle: PolicyBundle
        do {
            bundle = try PolicyBundle.verifyForRollout(request.bundle, root: root, now: Self.timestamp(nowMs))
        } catch {
            return .failure(PolicyRefusal(400, error.code.rawValue, error.reason))
        }
        if let refusal = state.withLock({ Self.conflict(version: bundle.version, $0) }) { return .failure(refusal) }
        let agents: [String]
        switch Self.population(of: bundle, requested: request.agents, known: Set(fleet).union(knownAgents)) {
        case .failure(let refusal): return .failure(refusal)
        case .success(let found): agents = found
        }
        do {
            let plan = try RolloutPlan(
                agents: agents, canary: request.canary, waves: request.waves, soakMs: Int64(request.soakS) * 1_000,
                maxFailures: request.maxFailures)
            return .success((bundle, plan))
        } catch {
            return .failure(PolicyRefusal(400, "rollout.plan", error.description))
        }
    }

    /// ROLLBACK for a version not above every earlier rollout's (an operator's "rollback" is a new, higher
    /// version); `rollout.active` while another rollout runs or is paused.
    private static func conflict(version: Int, _ state: State) -> PolicyRefusal? {
        let versions = state.entries.values.map(\.machine.rollout.version) + state.reserved
        if let highest = versions.max(), version <= highest {
            return PolicyRefusal(
                400, RefusalCode.rollback.rawValue,
                "bundle version \(version) is not newer than version \(highest), already rolled out: sign a higher version")
        }
        if !state.reserved.isEmpty {
            return PolicyRefusal(409, "rollout.active", "another rollout is being started right now")
        }
        if let active = state.entries.values.map(\.machine.rollout).first(where: { $0.state == .running || $0.state == .paused }) {
            return PolicyRefusal(
                409, "rollout.active",
                "rollout \(active.id) (version \(active.version)) is \(active.state.rawValue): let it finish or abort it first")
        }
        return nil
    }

    /// The agents to roll out to, in order: the operator's list (each must be a target unless the bundle names
    /// groups, whose members only the agents know), or every known agent the bundle targets, by id.
    static func population(of bundle: PolicyBundle, requested: [String]?, known: Set<String>) -> Result<[String], PolicyRefusal> {
        let everyone = bundle.targets.contains(.everyAgent)
        let named = Set(bundle.targets.compactMap { if case .agent(let id) = $0 { id } else { nil } })
        let groups = bundle.targets.compactMap { if case .group(let name) = $0 { name } else { nil } }
        if let requested {
            if !everyone, groups.isEmpty, let stranger = requested.first(where: { !named.contains($0) }) {
                return .failure(PolicyRefusal(
                    400, RefusalCode.wrongTarget.rawValue,
                    "agent \(stranger) is not a target of bundle version \(bundle.version) (targets \(bundle.targets.map(\.description).joined(separator: ", ")))"))
            }
            guard !requested.isEmpty else { return .failure(PolicyRefusal(400, "rollout.no_agents", "the agents list is empty")) }
            return .success(requested)
        }
        guard groups.isEmpty else {
            return .failure(PolicyRefusal(
                400, "rollout.agents_needed",
                "the bundle targets group\(groups.count == 1 ? "" : "s") \(groups.joined(separator: ", ")): the aggregator does not know group members, so list the agents"))
        }
        let agents = (everyone ? known : known.intersection(named).union(named)).sorted()
        guard !agents.isEmpty else {
            return .failure(PolicyRefusal(400, "rollout.no_agents", "no known agent is a target of bundle version \(bundle.version); list the agents"))
        }
        return .success(agents)
    }

    static func describe(_ plan: RolloutPlan) -> String {
        "\(plan.agents.count) agents: canary \(plan.stages[0].count), \(plan.stages.count - 1) wave\(plan.stages.count == 2 ? "" : "s") of "
            + "\(plan.stages.dropFirst().map { String($0.count) }.joined(separator: "/")), soak \(plan.soakMs / 1_000) s, max_failures \(plan.maxFailures)"
    }

    /// Pauses, resumes or aborts rollout `id`.
    public func command(_ command: Command, rollout id: Int64, by operatorName: String) async -> Result<Rollout, PolicyRefusal> {
        let nowMs = clock()
        let outcome: Result<(Rollout, [RolloutAction]), PolicyRefusal> = state.withLock { state in
            guard state.entries[id] != nil else { return .failure(PolicyRefusal(404, "rollout.not_found", "there is no rollout \(id)")) }
            do throws(RolloutCommandError) {
                let actions: [RolloutAction]
                switch command {
                case .pause: actions = try state.entries[id]!.machine.pause(nowMs: nowMs)
                case .resume: actions = try state.entries[id]!.machine.resume(nowMs: nowMs)
                case .abort: actions = try state.entries[id]!.machine.abort(nowMs: nowMs)
                }
                return .success((state.entries[id]!.machine.rollout, actions))
            } catch {
                return .failure(PolicyRefusal(409, error.label, error.message))
            }
        }
        let target = "rollout \(id)"
        switch outcome {
        case .failure(let refusal):
            await record(AuditEntry(
                atMs: nowMs, operatorName: operatorName, action: "rollout.\(command.rawValue)", target: target, outcome: refusal.outcome,
                detail: refusal.message))
            return .failure(refusal)
        case .success(let (rollout, actions)):
            let stored = await apply(actions, to: rollout)
            await record(AuditEntry(
                atMs: nowMs, operatorName: operatorName, action: "rollout.\(command.rawValue)", target: target, outcome: "ok",
                detail: "now \(rollout.state.rawValue) at the \(rollout.plan.stageName(rollout.stage))"))
            guard stored else {
                return .failure(PolicyRefusal(
                    503, "storage.unavailable", "rollout \(id) is \(rollout.state.rawValue) in memory, but storing it failed; it is retried every tick"))
            }
            return .success(rollout)
        }
    }

    /// The outcome of publishing a root.
    public enum RootPublication: Sendable, Hashable {
        /// Verified against the chain and stored: the newest trusted root now.
        case added(version: Int)
        /// This exact root was already known.
        case alreadyKnown(version: Int)
    }

    /// Verifies `envelope` as the next root (version N+1, signed by a threshold of root N's root keys and of its
    /// own), stores it and trusts it from now on.
    public func publishRoot(_ envelope: [UInt8], by operatorName: String) async -> Result<RootPublication, PolicyRefusal> {
        let nowMs = clock()
        let verdict: Result<TrustRoot?, PolicyRefusal> = state.withLock { state in
            guard let latest = state.chain.last else {
                return .failure(PolicyRefusal(503, "trust.not_configured", "the aggregator has no trusted root (trust.root_file) to verify a new one against"))
            }
            if state.envelopes.values.contains(envelope) { return .success(nil) }
            do throws(BundleRefusal) {
                return .success(try latest.rotated(to: envelope))
            } catch {
                return .failure(PolicyRefusal(400, error.code.rawValue, error.reason))
            }
        }
        let result: Result<RootPublication, PolicyRefusal>
        switch verdict {
        case .failure(let refusal): result = .failure(refusal)
        case .success(nil):
            let version = state.withLock { $0.envelopes.first { $0.value == envelope }?.key } ?? 0
            result = .success(.alreadyKnown(version: version))
        case .success(let root?):
            do {
                try await store.insert(StoredRoot(version: root.version, envelope: envelope, addedAtMs: nowMs, addedBy: operatorName))
                result = state.withLock { state in
                    // Another publication may have won the race: only the next version extends the chain.
                    guard let latest = state.chain.last, latest.version + 1 == root.version else {
                        return .failure(PolicyRefusal(409, "storage.conflict", "root version \(root.version) was published meanwhile"))
                    }
                    state.chain.append(root)
                    state.envelopes[root.version] = envelope
                    return .success(.added(version: root.version))
                }
            } catch {
                result = .failure(PolicyRefusal(error.isConflict ? 409 : 503, error.label, "the root could not be stored: \(error.message)"))
            }
        }
        let version = Self.claimedVersion(envelope).map { "root version \($0)" } ?? "a root"
        switch result {
        case .success(let publication):
            let detail: String
            switch publication {
            case .added(let version): detail = "trusted from now on as root version \(version)"
            case .alreadyKnown: detail = "already known; nothing changed"
            }
            await record(AuditEntry(atMs: nowMs, operatorName: operatorName, action: "roots.publish", target: version, outcome: "ok", detail: detail))
        case .failure(let refusal):
            await record(AuditEntry(
                atMs: nowMs, operatorName: operatorName, action: "roots.publish", target: version, outcome: refusal.outcome, detail: refusal.message))
        }
        return result
    }
}

extension RolloutCoordinator {
    /// The version a signed root says it is, read without trusting it: for the audit log of a refused one.
    static func claimedVersion(_ envelope: [UInt8]) -> Int? {
        guard let parsed = try? DSSEEnvelope(parsing: envelope), let top = try? StrictJSON.parse(parsed.payload).object("") else { return nil }
        return try? top.optional("version")?.int("version")
    }
}
