public import GridCore
public import Logging
import Synchronization

/// What the daemon shows the outside world, with no listening port: a status file (read by
/// `v2g-agent status`), a Prometheus textfile (for node-exporter), and systemd's notify socket.
///
/// The control loop hands over each cycle's figures (`record`, no I/O); `OperationsService` writes them out on a
/// cadence of its own and pings the watchdog, so a cycle held up by a silent device delays none of the three.
public final class AgentOperations: Sendable {
    private let agentID: String
    private let statusFile: StatusFile
    private let metricsFile: PrometheusTextfile
    public let notifier: SystemdNotifier
    /// Stamped by the control loop around each cycle; the watchdog pings only while it shows life.
    public let heartbeat = LoopHeartbeat()
    private let logger: Logger
    /// The textfile is on disk: rewrite it every this many seconds, not every cycle.
    private let metricsEveryS: Double
    private let counters = Mutex(Counters())

    private struct Counters {
        var metrics = AgentMetrics()
        var lastMetricsWrite: Timestamp?
        /// Writes failed in a row (0 while they work).
        var outputErrors = 0
        var uplink: UplinkStatus?
        /// The status as of the last cycle; before the first, a status without a mode ("starting").
        var status: AgentStatus?
    }

    /// `policyVersion` is the version in force at start, shown until the first cycle has run.
    public init(
        config: AgentConfig, policyVersion: Int = 0, logger: Logger, notifier: SystemdNotifier = SystemdNotifier(), metricsEveryS: Double = 10
    ) {
        agentID = config.agentID
        statusFile = StatusFile(path: config.statusFile)
        metricsFile = PrometheusTextfile(path: config.metricsTextfile)
        self.notifier = notifier
        self.logger = logger
        self.metricsEveryS = metricsEveryS
        counters.withLock { $0.status = AgentStatus(agentID: config.agentID, policyVersion: policyVersion, writtenAt: .wallClock()) }
    }

    public func notifyReady() {
        do { try notifier.ready(status: "regulating") } catch { logger.warning("sd_notify READY failed: \(error)") }
    }

    public func notifyStopping() {
        try? notifier.stopping()
    }

    /// Called by the uplink after each wake (its `onWake`): keeps the figures for the next status and textfile
    /// writes, so the uplink itself does no file I/O.
    public func recordUplink(_ report: UplinkDrain.Report, queue: TelemetryQueueStatus?, now: Timestamp) {
        counters.withLock { c in
            var uplink = c.uplink ?? UplinkStatus()
            uplink.record(report, queue: queue, now: now)
            c.uplink = uplink
        }
    }

    /// The uplink figures the next writes will carry (nil before the uplink's first wake).
    public var uplinkStatus: UplinkStatus? { counters.withLock { $0.uplink } }

    /// Called after every cycle, on the loop's thread, with its outcome and how long it took: keeps what the next
    /// writes will show. No I/O here.
    public func record(_ outcome: CycleOutcome, loop: ControlLoop, cycleDurationS: Double, now: Timestamp) {
        let chargers = zip(outcome.setpoints, loop.lastInputs?.chargers ?? []).map { setpoint, charger in
            AgentStatus.Charger(
                id: setpoint.chargerID, phase: charger.connection, activePowerKW: setpoint.activePowerKW,
                reactivePowerKvar: setpoint.reactivePowerKvar, online: charger.online)
        }
        let alarms = loop.activeAlarms
        var status = AgentStatus(
            agentID: agentID, mode: outcome.mode, policyVersion: loop.policy.version, lastCycleAt: now,
            cycleDurationS: cycleDurationS, alarms: alarms, neutralCurrentA: outcome.figures.neutralCurrentBeforeA,
            voltageUnbalancePercent: outcome.figures.unbalanceBeforePercent, hotSpotC: outcome.figures.hotSpotC,
            allowedKVA: outcome.figures.allowedKVA, chargers: chargers, writtenAt: now)
        status.notices = loop.notices
        status.envelope = loop.lastInputs?.envelope.map { envelope in
            AgentStatus.EnvelopeStatus(
                sequence: envelope.sequence, validUntil: envelope.validUntil,
                applied: outcome.decisions.contains { $0.code == "ENVELOPE_APPLIED" })
        }
        let policyPath = loop.policyWatch.status
        if policyPath.signedPoliciesOnly { status.policyPath = policyPath }
        let fieldAlarms = loop.lastFieldAlarms
        let cacheErrors = loop.cache.errorCounts
        counters.withLock { c in
            c.status = status
            c.metrics.cyclesTotal += 1
            c.metrics.cycleDurationS = cycleDurationS
            for decision in outcome.decisions where decision.code.hasPrefix("TRIP_") {
                c.metrics.tripsTotalByCode[decision.code, default: 0] += 1
            }
            for alarm in fieldAlarms where alarm.code.hasPrefix("MODBUS_") || alarm.code == "WRITE_FAILED" {
                c.metrics.modbusErrorsByDevice[alarm.device, default: 0] += 1
            }
            c.metrics.activeAlarmCodes = Set(alarms.map(\.code))
            c.metrics.noticeCodes = Set(loop.notices.map(\.code))
            c.metrics.policyVersion = loop.policy.version
            c.metrics.policyPath = policyPath.signedPoliciesOnly ? policyPath : nil
            c.metrics.neutralCurrentA = outcome.figures.neutralCurrentBeforeA
            c.metrics.voltageUnbalancePercent = outcome.figures.unbalanceBeforePercent
            c.metrics.hotSpotC = outcome.figures.hotSpotC
            c.metrics.allowedKVA = outcome.figures.allowedKVA
            c.metrics.phaseLoadingPercent = outcome.figures.phaseLoadingPercent
            c.metrics.setpoints = outcome.setpoints
            c.metrics.cacheErrorsByLabel = cacheErrors
        }
    }

    /// Writes the status file, and the textfile when `metricsEveryS` has passed, from the last cycle's figures and
    /// the uplink's (before the first cycle, a status with no mode: starting). Never throws: a full disk or a missing directory must not stop
    /// regulation, so it is logged now and then. Blocks on the disk: `OperationsService` calls it from its own thread.
    public func writeOutputs(now: Timestamp) {
        let due: (status: AgentStatus, metrics: AgentMetrics?)? = counters.withLock { c in
            guard var status = c.status else { return nil }
            status.uplink = c.uplink
            status.writtenAt = .wallClock()
            c.metrics.uplink = c.uplink
            guard c.lastMetricsWrite.map({ now - $0 >= metricsEveryS }) ?? true else { return (status, nil) }
            c.lastMetricsWrite = now
            return (status, c.metrics)
        }
        guard let due else { return }
        let failure: LocalOutputError?
        do {
            try statusFile.write(due.status)
            if let metrics = due.metrics { try metricsFile.write(metrics) }
            failure = nil
        } catch {
            failure = error
        }
        // Said when the writes start failing and when they work again, not at every tick.
        let (changed, failedBefore) = counters.withLock { c in
            let before = c.outputErrors
            c.outputErrors = failure == nil ? 0 : before + 1
            return ((before > 0) != (failure != nil), before)
        }
        guard changed else { return }
        if let failure {
            logger.warning("status/metrics not written: \(failure)")
        } else {
            logger.notice("status/metrics written again", metadata: ["failed_writes": "\(failedBefore)"])
        }
    }

    /// WATCHDOG=1, unless a cycle has been running for longer than `stallLimit` (the loop is stuck: let systemd
    /// restart the agent). Returns whether it pinged.
    @discardableResult
    public func pingWatchdog(stallLimit: Duration) -> Bool {
        guard heartbeat.isAlive(limit: stallLimit) else { return false }
        try? notifier.watchdog()
        return true
    }
}
