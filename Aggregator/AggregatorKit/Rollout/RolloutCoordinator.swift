import FoundationEssentials
import GridCore
public import Logging
public import PolicyTrust
import Synchronization

/// Every rollout's state machine in memory, the root chain, and the store behind them: what the HTTP routes and
/// `RolloutService` call (docs/rollout.md).
///
/// Events change the machines under a lock (in memory, microseconds); what changed is then written to the store
/// off the lock, on the store's own thread, and the caller is answered once it is stored. Rows carry the
/// rollout's revision, so saves finishing out of order keep the newest state. A save that fails marks the rollout
/// for a full save on the next tick.
public final class RolloutCoordinator: Sendable {
    /// Milliseconds since the epoch; injected so that tests set the time.
    public typealias Clock = @Sendable () -> Int64

    struct Entry {
        var machine: RolloutStateMachine
        let bundle: [UInt8]
        /// A save failed: the next tick writes every row.
        var dirty = false
    }

    struct State {
        /// The pinned root, then each verified rotation.
        var chain: [TrustRoot]
        /// Signed roots by version, as served at /v1/roots/{version}.
        var envelopes: [Int: [UInt8]]
        var entries: [Int64: Entry] = [:]
        /// Versions whose rollout is being stored (a start in flight).
        var reserved: Set<Int> = []
        var known: Set<String>
        /// Audit entries whose append failed, retried on each tick.
        var pendingAudit: [AuditEntry] = []
    }

    let store: any PolicyStore
    public let clock: Clock
    let logger: Logger
    let state: Mutex<State>

    private init(store: any PolicyStore, clock: @escaping Clock, logger: Logger, state: State) {
        self.store = store
        self.clock = clock
        self.logger = logger
        self.state = Mutex(state)
    }

    /// Loads the roots (walking the chain from `pinnedRoot`) and every rollout from `store`, and resumes them.
    /// Without a pinned root, bundles are still served and reports taken for stored rollouts, but no rollout
    /// starts and no root is published.
    public static func open(
        store: any PolicyStore, pinnedRoot: TrustRoot?, logger: Logger, clock: @escaping Clock = RolloutCoordinator.wallClock
    ) async throws(PolicyStoreError) -> RolloutCoordinator {
        var chain: [TrustRoot] = pinnedRoot.map { [$0] } ?? []
        var envelopes: [Int: [UInt8]] = [:]
        if let pinnedRoot { envelopes[pinnedRoot.version] = pinnedRoot.signedBytes }
        for stored in try await store.roots() {
            envelopes[stored.version] = envelopes[stored.version] ?? stored.envelope
            guard let last = chain.last, stored.version > last.version else { continue }
            do {
                chain.append(try last.rotated(to: stored.envelope))
            } catch {
                logger.error("a stored root does not follow the chain; later roots are not trusted", metadata: [
                    "root.version": "\(stored.version)", "refusal": "\(error)",
                ])
                break
            }
        }
        let known = Set(try await store.knownAgents())
        var state = State(chain: chain, envelopes: envelopes, known: known)
        for stored in try await store.rollouts() {
            state.entries[stored.rollout.id] = Entry(machine: RolloutStateMachine(restoring: stored.rollout), bundle: stored.bundle)
            logger.info("rollout resumed", metadata: [
                "rollout.id": "\(stored.rollout.id)", "rollout.version": "\(stored.rollout.version)",
                "rollout.state": "\(stored.rollout.state.rawValue)", "rollout.stage": "\(stored.rollout.plan.stageName(stored.rollout.stage))",
            ])
        }
        let coordinator = RolloutCoordinator(store: store, clock: clock, logger: logger, state: state)
        await coordinator.tick()  // a soak that ended while the aggregator was down
        return coordinator
    }

    /// The wall clock in milliseconds.
    public static let wallClock: Clock = { Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)) }

    static func timestamp(_ ms: Int64) -> Timestamp { Timestamp(secondsSinceEpoch: Double(ms) / 1000) }

    // MARK: Reading

    /// The newest trusted root, nil when none is configured.
    public var trustRoot: TrustRoot? { state.withLock { $0.chain.last } }

    /// The signed root of `version`, nil when unknown.
    public func rootEnvelope(version: Int) -> [UInt8]? { state.withLock { $0.envelopes[version] } }

    /// Every root version that can be served, ascending.
    public var rootVersions: [Int] { state.withLock { $0.envelopes.keys.sorted() } }

    public func rollout(id: Int64) -> Rollout? { state.withLock { $0.entries[id]?.machine.rollout } }

    /// Every rollout, oldest first.
    public var rollouts: [Rollout] { state.withLock { $0.entries.values.map(\.machine.rollout).sorted { $0.id < $1.id } } }

    // MARK: Agents

    /// What to answer an agent's bundle request.
    public enum BundleAnswer: Sendable, Hashable {
        /// 200 with the bytes; the ETag is the version.
        case bundle(version: Int, bytes: [UInt8])
        /// 304: the agent's entity tag names the version it would get.
        case notModified(version: Int)
        /// 404: no rollout has reached this agent.
        case none
    }

    /// The bundle `agentID` may have now: of the rollouts that offer it one, the newest version.
    public func bundle(for agentID: String, ifNoneMatch: String?) async -> BundleAnswer {
        let nowMs = clock()
        await remember(agentID, nowMs: nowMs)
        let found: (id: Int64, version: Int, bytes: [UInt8], actions: [RolloutAction], rollout: Rollout)? = state.withLock { state in
            let offering = state.entries.values.filter { $0.machine.offers(agentID) }
            guard let best = offering.max(by: { $0.machine.rollout.version < $1.machine.rollout.version }) else { return nil }
            let id = best.machine.rollout.id
            let actions = state.entries[id]!.machine.fetched(by: agentID, nowMs: nowMs)
            let entry = state.entries[id]!
            return (id, entry.machine.rollout.version, entry.bundle, actions, entry.machine.rollout)
        }
        guard let found else { return .none }
        await apply(found.actions, to: found.rollout)
        if let ifNoneMatch, Self.entityTags(ifNoneMatch).contains(where: { $0 == "*" || $0 == "\(found.version)" }) {
            return .notModified(version: found.version)
        }
        return .bundle(version: found.version, bytes: found.bytes)
    }

    /// The tags of an If-None-Match value (`"7"`, `W/"7"`, `"6", "7"`, `*`), unquoted.
    static func entityTags(_ header: String) -> [String] {
        header.split(separator: ",").map { raw in
            var tag = String(raw.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
            if tag.hasPrefix("W/") { tag.removeFirst(2) }
            if tag.count >= 2, tag.hasPrefix("\""), tag.hasSuffix("\"") { tag = String(tag.dropFirst().dropLast()) }
            return tag
        }
    }

    /// Takes an agent's report (the raw body) on the rollout of the version it names.
    public func report(_ body: [UInt8], from agentID: String) async -> Result<Rollout, PolicyRefusal> {
        let report: PolicyReport
        do { report = try PolicyReport(parsing: body) } catch {
            return .failure(PolicyRefusal(400, "report.invalid", "\(error)"))
        }
        let nowMs = clock()
        await remember(agentID, nowMs: nowMs)
        let outcome: Result<(Rollout, [RolloutAction]), PolicyRefusal> = state.withLock { state in
            guard let id = state.entries.values.first(where: {
                $0.machine.rollout.version == report.version && $0.machine.contains(agentID)
            })?.machine.rollout.id else {
                return .failure(PolicyRefusal(404, "rollout.unknown", "no rollout of version \(report.version) includes agent \(agentID)"))
            }
            do throws(RolloutCommandError) {
                let actions = try state.entries[id]!.machine.report(report, from: agentID, nowMs: nowMs)
                return .success((state.entries[id]!.machine.rollout, actions))
            } catch {
                return .failure(PolicyRefusal(409, error.label, error.message))
            }
        }
        switch outcome {
        case .failure(let refusal): return .failure(refusal)
        case .success(let (rollout, actions)):
            guard await apply(actions, to: rollout) else {
                return .failure(PolicyRefusal(503, "storage.unavailable", "the report was taken but could not be stored yet; send it again"))
            }
            return .success(rollout)
        }
    }

    private func remember(_ agentID: String, nowMs: Int64) async {
        let isNew = state.withLock { $0.known.insert(agentID).inserted }
        guard isNew else { return }
        do { try await store.remember(agents: [agentID], nowMs: nowMs) } catch {
            logger.info("could not record a new agent; it is kept in memory", metadata: ["agent.id": "\(agentID)", "error": "\(error)"])
        }
    }

    /// Agents known from bundle requests and reports (besides the telemetry fleet the caller knows).
    var knownAgents: Set<String> { state.withLock { $0.known } }

    // MARK: Time

    /// Advances every running rollout to `clock()` (soaks that ended), retries failed saves and audit entries.
    public func tick() async {
        let nowMs = clock()
        let work: [(Rollout, [RolloutAction], Bool)] = state.withLock { state in
            var work: [(Rollout, [RolloutAction], Bool)] = []
            for id in state.entries.keys.sorted() {
                let actions = state.entries[id]!.machine.tick(nowMs: nowMs)
                let dirty = state.entries[id]!.dirty
                if dirty { state.entries[id]!.dirty = false }
                if !actions.isEmpty || dirty { work.append((state.entries[id]!.machine.rollout, actions, dirty)) }
            }
            return work
        }
        for (rollout, actions, dirty) in work {
            await apply(dirty ? actions + [.save(agents: rollout.agents.map(\.agentID))] : actions, to: rollout)
        }
        let pending = state.withLock { state in
            defer { state.pendingAudit = [] }
            return state.pendingAudit
        }
        for entry in pending { await record(entry) }
    }

    /// The earliest time a running rollout wants a tick (its soak ends), if any.
    public var nextWakeMs: Int64? {
        state.withLock { state in
            state.entries.values.compactMap { entry in
                entry.machine.rollout.state == .running ? entry.machine.rollout.soakEndsAtMs : nil
            }.min()
        }
    }

    // MARK: Effects

    /// Logs what happened and stores what changed; false when the save failed (retried on the next tick).
    @discardableResult
    func apply(_ actions: [RolloutAction], to rollout: Rollout) async -> Bool {
        var agents: [String] = []
        var save = false
        for action in actions {
            switch action {
            case .save(let changed):
                save = true
                agents += changed
            default:
                log(action, rollout)
            }
        }
        guard save else { return true }
        do {
            try await store.save(rollout, agents: Array(Set(agents)))
            return true
        } catch {
            logger.error("rollout not stored; the next tick retries", metadata: ["rollout.id": "\(rollout.id)", "error": "\(error)"])
            state.withLock { $0.entries[rollout.id]?.dirty = true }
            return false
        }
    }

    private func log(_ action: RolloutAction, _ rollout: Rollout) {
        var metadata: Logger.Metadata = ["rollout.id": "\(rollout.id)", "rollout.version": "\(rollout.version)"]
        switch action {
        case .stageOpened(let stage, let agents):
            metadata["rollout.stage"] = "\(rollout.plan.stageName(stage))"
            metadata["rollout.agents"] = "\(agents.count)"
            logger.info("rollout stage opened", metadata: metadata)
        case .soakStarted(let stage, let endsAtMs):
            metadata["rollout.stage"] = "\(rollout.plan.stageName(stage))"
            metadata["rollout.soak_ends_ms"] = "\(endsAtMs)"
            logger.info("rollout stage applied everywhere; soaking", metadata: metadata)
        case .stagePassed(let stage):
            metadata["rollout.stage"] = "\(rollout.plan.stageName(stage))"
            logger.info("rollout stage passed", metadata: metadata)
        case .halted(let reasons):
            metadata["rollout.reasons"] = "\(reasons.joined(separator: " | "))"
            logger.info("rollout halted", metadata: metadata)
        case .completed: logger.info("rollout done: every agent applied", metadata: metadata)
        case .paused: logger.info("rollout paused", metadata: metadata)
        case .resumed: logger.info("rollout resumed", metadata: metadata)
        case .aborted: logger.info("rollout aborted", metadata: metadata)
        case .save, .wakeAt: break
        }
    }

    /// Appends to the audit log (rollouts, roots, and the goal routes' set and clear); an entry that cannot be stored
    /// now is kept and retried on the next tick.
    public func record(_ entry: AuditEntry) async {
        do { try await store.append(entry) } catch {
            logger.error("audit entry not stored yet; the next tick retries", metadata: [
                "audit.action": "\(entry.action)", "audit.operator": "\(entry.operatorName)", "error": "\(error)",
            ])
            state.withLock { $0.pendingAudit.append(entry) }
        }
    }

    public func audit(limit: Int, beforeID: Int64?) async throws(PolicyStoreError) -> [AuditEntry] {
        try await store.audit(limit: limit, beforeID: beforeID)
    }
}
