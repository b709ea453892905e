import GridCore
public import Logging
import PolicyTrust
public import ServiceLifecycle
import EdgeCurl

/// The agent's long-running parts as `v2g-agent run` assembles them from its configuration, ready for one
/// `ServiceGroup`:
///
/// - `ControlLoopService` on a thread of its own (`v2g-cycle`): poll, plan, write, remember, then the telemetry append;
/// - `OperationsService` on another (`v2g-outputs`): the status file, the Prometheus textfile, the watchdog;
/// - `UplinkService` on a third (`v2g-uplink`): it seals and reads the SQLite queue; its HTTPS transfers block
///   EdgeCurl's dispatch queue;
/// - `PolicyFetchService` on a fourth (`v2g-policy`): roots, signed bundles and reports (docs/agent.md);
/// - `StateReportService` on a fifth (`v2g-state`), with an `uplink` section whose `state_interval_s` is not 0: the
///   live state report, and the signed envelope in its answer for the loop's `EnvelopeInbox`, checked against the
///   same root of trust as policies (`trust`, rotations included).
///
/// Nothing that blocks shares a thread with another part, so a Modbus device that never answers slows the cycle and
/// nothing else. Call `stop()` once the group has returned.
public final class AgentDaemon: Sendable {
    public let config: AgentConfig
    public let cache: GuardedCache
    /// Where policies reach the loop: the policy file at start, fetched bundles.
    public let inbox: PolicyInbox
    public let operations: AgentOperations
    /// nil without an `uplink` section, or when its queue or TLS set-up failed (logged; regulation goes on).
    public let uplink: AgentUplink?
    /// nil when state reports are off (no `uplink`, `state_interval_s` 0) or the TLS set-up failed.
    public let envelopes: EnvelopeInbox?
    /// The policy path's alarms and figures.
    public let policyWatch: PolicyWatch
    /// The root of trust; nil without a `trust` section.
    public let trust: TrustAnchor?
    /// nil without a `policy_fetch` section, or when its set-up failed (logged; regulation goes on).
    public let fetcher: PolicyFetcher?
    public let services: [ServiceGroupConfiguration.ServiceConfiguration]
    private let cycleThread = DedicatedThreadExecutor(name: "v2g-cycle")
    private let outputThread = DedicatedThreadExecutor(name: "v2g-outputs")
    /// Only with an `uplink` section.
    private let uplinkThread: DedicatedThreadExecutor?
    /// Only when state reports are on.
    private let stateThread: DedicatedThreadExecutor?
    /// Only with a `policy_fetch` section.
    private let policyThread: DedicatedThreadExecutor?

    /// `statusInterval` is the status file's period in wall time (default: the cycle period, within 0.1–1 s).
    public init(
        config: AgentConfig, clock: AgentClock = .realTime, notifier: SystemdNotifier = SystemdNotifier(),
        statusInterval: Duration? = nil, logger: Logger
    ) {
        self.config = config
        let cache = GuardedCache(path: config.cachePath, logger: logger)
        let inbox = PolicyInbox()
        let watch = PolicyWatch(cache: cache, trustConfigured: config.trust != nil)
        let trust = config.trust.map { TrustAnchor(config: $0, cache: cache, watch: watch, logger: logger) }
        SeedPolicy.offer(config, trust: trust, cache: cache, inbox: inbox, watch: watch, now: clock.now(), logger: logger)
        let keyWatch = TLSKeyWatch(keyFiles: [config.uplink?.keyFile, config.policyFetchSettings?.keyFile].compactMap { $0 })
        for path in keyWatch.keyFiles {
            if let exposure = MutualTLSFiles.exposure(ofKeyFile: path) { logger.error("TLS key refused: \(exposure)") }
        }
        let policyThread = config.policyFetchSettings.map { _ in DedicatedThreadExecutor(name: "v2g-policy") }
        let fetcher = Self.fetcher(config, trust: trust, cache: cache, inbox: inbox, watch: watch, clock: clock, logger: logger)
        let operations = AgentOperations(config: config, policyVersion: cache.policyInForce().version, logger: logger, notifier: notifier)
        let uplinkThread = config.uplink.map { _ in DedicatedThreadExecutor(name: "v2g-uplink") }
        let uplink = uplinkThread.flatMap { thread in
            Self.uplink(config, clock: clock, policy: cache.policyInForce(), operations: operations, executor: thread, logger: logger)
        }
        let alarmSources: [any AlarmSource] = (uplink.map { [$0] } ?? []) + [keyWatch]
        let stateThread = (config.uplink?.stateIntervalS ?? 0) > 0 ? DedicatedThreadExecutor(name: "v2g-state") : nil
        let reporter = stateThread.flatMap { Self.stateReporter(config, trust: trust, clock: clock, executor: $0, logger: logger) }
        let loop = ControlLoopService(
            logger: logger, clock: clock, executor: cycleThread, heartbeat: operations.heartbeat,
            makeLoop: {
                let loop = ControlLoop(
                    field: ModbusFieldBus(config: config), cache: cache, inbox: inbox, envelopes: reporter?.envelopes,
                    alarmSources: alarmSources, policyWatch: watch, logger: logger)
                loop.setCyclePeriod(config.cyclePeriodS)
                loop.setProbation(windowS: config.policyFetchSettings?.probationS)
                return loop
            },
            afterCycle: { outcome, loop, took, now in
                operations.record(outcome, loop: loop, cycleDurationS: took, now: now)
                uplink?.record(outcome, loop: loop, now: now)
                if let reporter, let inputs = loop.lastInputs {
                    reporter.board.record(inputs: inputs, outcome: outcome, policy: loop.policy, now: now)
                }
            })
        let periodMs = 1_000 * min(1, max(0.1, clock.wallSeconds(for: config.cyclePeriodS)))
        let outputs = OperationsService(
            operations: operations, clock: clock, executor: outputThread,
            interval: statusInterval ?? .milliseconds(Int64(periodMs)), logger: logger)
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: loop), .init(service: outputs)]
        if let uplink { services.append(.init(service: uplink.service)) }
        if let fetcher {
            services.append(.init(service: PolicyFetchService(fetcher: fetcher, watch: watch, executor: policyThread, logger: logger)))
        }
        if let reporter { services.append(.init(service: reporter.service)) }
        self.cache = cache
        self.inbox = inbox
        self.operations = operations
        self.uplink = uplink
        self.policyWatch = watch
        self.trust = trust
        self.fetcher = fetcher
        self.uplinkThread = uplinkThread
        self.envelopes = reporter?.envelopes
        self.stateThread = stateThread
        self.policyThread = policyThread
        self.services = services
    }

    /// Lets the threads end; call it after the service group has returned.
    public func stop() {
        cycleThread.stop()
        outputThread.stop()
        uplinkThread?.stop()
        stateThread?.stop()
        policyThread?.stop()
    }

    /// The state reporter and the envelope inbox it feeds. Envelopes are checked against the one root of trust the
    /// policy path uses (`trust`: the pinned root, or the newest it rotated to), read afresh for every envelope so a
    /// rotation applies at once. Without a usable root the inbox still exists and refuses every envelope with the
    /// reason (UNKNOWN_KEY), so that a misprovisioned agent says so in its event log; a TLS set-up failure disables
    /// the reports with an error in the log. Regulation never depends on either.
    private static func stateReporter(
        _ config: AgentConfig, trust: TrustAnchor?, clock: AgentClock, executor: DedicatedThreadExecutor, logger: Logger
    ) -> (service: StateReportService, board: StateReportBoard, envelopes: EnvelopeInbox)? {
        guard let settings = config.uplink else { return nil }
        let missing = trust.map { "the root of trust \($0.rootFile) is unusable (TRUST_ROOT_UNUSABLE)" }
            ?? "no root of trust is configured (trust.root_file)"
        if trust == nil { logger.warning("neighborhood envelopes will be refused: \(missing)") }
        let envelopes = EnvelopeInbox(agentID: config.agentID, root: { trust?.root }, missingRootReason: missing, logger: logger)
        let board = StateReportBoard(agentID: config.agentID)
        var link = UplinkSettings(
            baseURL: settings.baseURL, agentID: config.agentID,
            tls: UplinkTLSFiles(caPath: settings.caFile, certificatePath: settings.certFile, keyPath: settings.keyFile))
        link.connectTimeoutS = settings.connectTimeoutS
        // A report older than the next one is worth nothing: never wait longer than one interval and a bit.
        link.totalTimeoutS = min(settings.totalTimeoutS, max(1, 2 * settings.stateIntervalS))
        do {
            let service = try StateReportService(
                settings: link, intervalS: settings.stateIntervalS, board: board, envelopes: envelopes, now: { clock.now() },
                executor: executor, logger: logger)
            return (service, board, envelopes)
        } catch {
            logger.error("state reports disabled: \(error)")
            return nil
        }
    }

    /// The fetcher of roots and bundles, with a `policy_fetch` section and a root of trust to check against.
    private static func fetcher(
        _ config: AgentConfig, trust: TrustAnchor?, cache: GuardedCache, inbox: PolicyInbox, watch: PolicyWatch, clock: AgentClock,
        logger: Logger
    ) -> PolicyFetcher? {
        guard let settings = config.policyFetchSettings, let trust else { return nil }
        do {
            return try PolicyFetcher(
                settings: settings, agent: AgentIdentity(id: config.agentID, groups: config.trust?.groups ?? []), trust: trust,
                cache: cache, inbox: inbox, watch: watch, clock: clock, logger: logger)
        } catch {
            logger.error("policy fetch disabled: \(error)")
            return nil
        }
    }

    /// The telemetry queue and its uploader, when the config has an `uplink` section. A queue or TLS problem
    /// disables the upload with an error in the log; regulation never depends on it.
    private static func uplink(
        _ config: AgentConfig, clock: AgentClock, policy: ControlPolicy, operations: AgentOperations,
        executor: DedicatedThreadExecutor, logger: Logger
    ) -> AgentUplink? {
        guard let settings = config.uplink else { return nil }
        do {
            return try AgentUplink(
                config: config, settings: settings, clock: clock, policy: policy, maximumPageCount: nil, executor: executor,
                logger: logger, onWake: { report, queue, now in operations.recordUplink(report, queue: queue, now: now) })
        } catch {
            logger.error("telemetry upload disabled: \(error)")
            return nil
        }
    }
}
