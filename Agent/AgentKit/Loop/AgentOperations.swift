public import GridCore
public import Logging
import Synchronization

/// What the daemon shows the outside world, with no listening port: a status file (read by
/// `v2g-agent status`), a Prometheus textfile (for node-exporter), and systemd's notify socket.
public final class AgentOperations: Sendable {
    private let agentID: String
    private let statusFile: StatusFile
    private let metricsFile: PrometheusTextfile
    private let notifier: SystemdNotifier
    private let logger: Logger
    /// The textfile is on disk: rewrite it every this many seconds, not every cycle.
    private let metricsEveryS: Double
    private let counters = Mutex(Counters())

    private struct Counters {
        var metrics = AgentMetrics()
        var lastMetricsWrite: Timestamp?
        var outputErrors = 0
        var uplink: UplinkStatus?
    }

    public init(config: AgentConfig, logger: Logger, notifier: SystemdNotifier = SystemdNotifier(), metricsEveryS: Double = 10) {
        agentID = config.agentID
        statusFile = StatusFile(path: config.statusFile)
        metricsFile = PrometheusTextfile(path: config.metricsTextfile)
        self.notifier = notifier
        self.logger = logger
        self.metricsEveryS = metricsEveryS
    }

    public func notifyReady() {
        do { try notifier.ready(status: "regulating") } catch { logger.warning("sd_notify READY failed: \(error)") }
    }

    public func notifyStopping() {
        try? notifier.stopping()
    }

    /// Called by the uplink after each wake (its `onWake`): keeps the figures for the next status and textfile
    /// writes, so the uplink itself does no file I/O and the control loop none beyond its own writes.
    public func recordUplink(_ report: UplinkDrain.Report, queue: TelemetryQueueStatus?, now: Timestamp) {
        counters.withLock { c in
            var uplink = c.uplink ?? UplinkStatus()
            uplink.record(report, queue: queue, now: now)
            c.uplink = uplink
        }
    }

    /// The uplink figures the next writes will carry (nil before the uplink's first wake).
    public var uplinkStatus: UplinkStatus? { counters.withLock { $0.uplink } }

    /// Called after every cycle with its outcome and how long the cycle took.
    public func publish(_ outcome: CycleOutcome, loop: ControlLoop, cycleDurationS: Double, now: Timestamp) {
        let alarms = loop.activeAlarmCodes.map { code in
            AgentStatus.Alarm(code: code, message: outcome.decisions.first { $0.code == code }?.message
                ?? loop.lastFieldAlarms.first { "\($0.code):\($0.device)" == code }?.message ?? "")
        }
        let chargers = zip(outcome.setpoints, loop.lastInputs?.chargers ?? []).map { setpoint, charger in
            AgentStatus.Charger(
                id: setpoint.chargerID, phase: charger.connection, activePowerKW: setpoint.activePowerKW,
                reactivePowerKvar: setpoint.reactivePowerKvar, online: charger.online)
        }
        var status = AgentStatus(
            agentID: agentID, mode: outcome.mode, policyVersion: loop.policy.version, lastCycleAt: now,
            cycleDurationS: cycleDurationS, alarms: alarms, neutralCurrentA: outcome.figures.neutralCurrentBeforeA,
            voltageUnbalancePercent: outcome.figures.unbalanceBeforePercent, hotSpotC: outcome.figures.hotSpotC,
            allowedKVA: outcome.figures.allowedKVA, chargers: chargers, writtenAt: .wallClock())
        let (metrics, uplink): (AgentMetrics?, UplinkStatus?) = counters.withLock { c in
            c.metrics.cyclesTotal += 1
            c.metrics.cycleDurationS = cycleDurationS
            for decision in outcome.decisions where decision.code.hasPrefix("TRIP_") {
                c.metrics.tripsTotalByCode[decision.code, default: 0] += 1
            }
            for alarm in loop.lastFieldAlarms where alarm.code.hasPrefix("MODBUS_") || alarm.code == "WRITE_FAILED" {
                c.metrics.modbusErrorsByDevice[alarm.device, default: 0] += 1
            }
            c.metrics.activeAlarmCodes = Set(loop.activeAlarmCodes)
            c.metrics.neutralCurrentA = outcome.figures.neutralCurrentBeforeA
            c.metrics.voltageUnbalancePercent = outcome.figures.unbalanceBeforePercent
            c.metrics.hotSpotC = outcome.figures.hotSpotC
            c.metrics.allowedKVA = outcome.figures.allowedKVA
            c.metrics.phaseLoadingPercent = outcome.figures.phaseLoadingPercent
            c.metrics.setpoints = outcome.setpoints
            c.metrics.cacheErrorsByLabel = loop.cache.errorCounts
            c.metrics.uplink = c.uplink
            guard c.lastMetricsWrite.map({ now - $0 >= metricsEveryS }) ?? true else { return (nil, c.uplink) }
            c.lastMetricsWrite = now
            return (c.metrics, c.uplink)
        }
        status.uplink = uplink
        do {
            try statusFile.write(status)
            if let metrics { try metricsFile.write(metrics) }
        } catch {
            // A full disk or a missing directory must not stop regulation; say it once in a while.
            let count = counters.withLock { c in c.outputErrors += 1; return c.outputErrors }
            if count == 1 || count % 600 == 0 { logger.warning("status/metrics not written: \(error)", metadata: ["errors": "\(count)"]) }
        }
        try? notifier.watchdog()
    }
}
