import GridCore
import PolicyTrust
public import Logging
public import ServiceLifecycle

/// The agent's long-running parts as `v2g-agent run` assembles them from its configuration, ready for one
/// `ServiceGroup`:
///
/// - `ControlLoopService` on a thread of its own (`v2g-cycle`): poll, plan, write, remember, then the telemetry append;
/// - `OperationsService` on another (`v2g-outputs`): the status file, the Prometheus textfile, the watchdog;
/// - `UplinkService` on a third (`v2g-uplink`): it seals and reads the SQLite queue; its HTTPS transfers block
///   EdgeCurl's dispatch queue.
/// - `StateReportService` on a fourth (`v2g-state`), with an `uplink` section whose `state_interval_s` is not 0: the
///   live state report, and the signed envelope in its answer for the loop's `EnvelopeInbox`.
///
/// Nothing that blocks shares a thread with another part, so a Modbus device that never answers slows the cycle and
/// nothing else. Call `stop()` once the group has returned.
public final class AgentDaemon: Sendable {
    public let config: AgentConfig
    public let cache: GuardedCache
    /// Where policies reach the loop: the policy file at start, signed bundles later.
    public let inbox: PolicyInbox
    public let operations: AgentOperations
    /// nil without an `uplink` section, or when its queue or TLS set-up failed (logged; regulation goes on).
    public let uplink: AgentUplink?
    /// nil when state reports are off (no `uplink`, `state_interval_s` 0) or the TLS set-up failed.
    public let envelopes: EnvelopeInbox?
    public let services: [ServiceGroupConfiguration.ServiceConfiguration]
    private let cycleThread = DedicatedThreadExecutor(name: "v2g-cycle")
    private let outputThread = DedicatedThreadExecutor(name: "v2g-outputs")
    /// Only with an `uplink` section.
    private let uplinkThread: DedicatedThreadExecutor?
    /// Only when state reports are on.
    private let stateThread: DedicatedThreadExecutor?

    /// `statusInterval` is the status file's period in wall time (default: the cycle period, within 0.1–1 s).
    public init(
        config: AgentConfig, clock: AgentClock = .realTime, notifier: SystemdNotifier = SystemdNotifier(),
        statusInterval: Duration? = nil, logger: Logger
    ) {
        self.config = config
        let cache = GuardedCache(path: config.cachePath, logger: logger)
        let inbox = PolicyInbox()
        Self.deliverPolicyFile(config, to: inbox, logger: logger)
        let operations = AgentOperations(config: config, policyVersion: cache.policyInForce().version, logger: logger, notifier: notifier)
        let uplinkThread = config.uplink.map { _ in DedicatedThreadExecutor(name: "v2g-uplink") }
        let uplink = uplinkThread.flatMap { thread in
            Self.uplink(config, clock: clock, policy: cache.policyInForce(), operations: operations, executor: thread, logger: logger)
        }
        let alarmSources: [any AlarmSource] = uplink.map { [$0] } ?? []
        let stateThread = (config.uplink?.stateIntervalS ?? 0) > 0 ? DedicatedThreadExecutor(name: "v2g-state") : nil
        let reporter = stateThread.flatMap { Self.stateReporter(config, clock: clock, executor: $0, logger: logger) }
        let loop = ControlLoopService(
            logger: logger, clock: clock, executor: cycleThread, heartbeat: operations.heartbeat,
            makeLoop: {
                let loop = ControlLoop(
                    field: ModbusFieldBus(config: config), cache: cache, inbox: inbox, envelopes: reporter?.envelopes,
                    alarmSources: alarmSources, logger: logger)
                loop.setCyclePeriod(config.cyclePeriodS)
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
        if let reporter { services.append(.init(service: reporter.service)) }
        self.cache = cache
        self.inbox = inbox
        self.operations = operations
        self.uplink = uplink
        self.uplinkThread = uplinkThread
        self.envelopes = reporter?.envelopes
        self.stateThread = stateThread
        self.services = services
    }

    /// Lets the two threads end; call it after the service group has returned.
    public func stop() {
        cycleThread.stop()
        outputThread.stop()
        uplinkThread?.stop()
        stateThread?.stop()
    }

    /// The state reporter and the envelope inbox it feeds. Without a usable root of trust the inbox still exists and
    /// refuses every envelope with the reason (UNKNOWN_KEY), so that a misprovisioned agent says so in its event log;
    /// a TLS set-up failure disables the reports with an error in the log. Regulation never depends on either.
    private static func stateReporter(
        _ config: AgentConfig, clock: AgentClock, executor: DedicatedThreadExecutor, logger: Logger
    ) -> (service: StateReportService, board: StateReportBoard, envelopes: EnvelopeInbox)? {
        guard let settings = config.uplink else { return nil }
        var root: TrustRoot?
        var missing = "no root of trust is configured (envelope.root_file)"
        if let rootFile = config.envelope?.rootFile {
            do {
                root = try TrustRoot(trusting: try FileBytes.read(rootFile, maxBytes: TrustRoot.defaultMaxBytes))
            } catch {
                missing = "the root of trust \(rootFile) is unusable: \(error)"
                logger.error("envelopes will be refused: \(missing)")
            }
        }
        let envelopes = EnvelopeInbox(intake: EnvelopeIntake(agentID: config.agentID, root: root, missingRootReason: missing), logger: logger)
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

    /// A local policy file (commissioning) goes to the loop's inbox like any other policy: the loop takes it before its
    /// first cycle, and the cache adopts it only if it is newer than every version it has accepted.
    private static func deliverPolicyFile(_ config: AgentConfig, to inbox: PolicyInbox, logger: Logger) {
        guard let path = config.policyFile else { return }
        do {
            let (policy, bytes) = try ConfigFile.loadPolicyWithBytes(path: path)
            inbox.deliver(PolicyInbox.Delivery(policy: policy, bundleBytes: bytes, receivedAt: .wallClock(), source: path))
        } catch {
            // The agent still runs, on the cached policy or the built-in safe defaults.
            logger.error("policy file refused: \(error)")
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
