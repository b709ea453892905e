public import Logging
public import ServiceLifecycle

/// Writes the status file and the Prometheus textfile, and pings the systemd watchdog, on a cadence of its own,
/// beside the control loop rather than after each of its cycles: a cycle held up by a device that never answers
/// delays none of them. The figures are the last cycle's (its time is in the status), the uplink's last wake's, and
/// the alarms then in force.
///
/// The writes block on the disk (fsync), so the service runs on a thread of its own, like the control loop.
public struct OperationsService: Service {
    private let operations: AgentOperations
    private let clock: AgentClock
    private let executor: DedicatedThreadExecutor
    /// Wall time between two status writes.
    private let interval: Duration
    private let logger: Logger

    /// `interval` is the status file's period in wall time; the watchdog is pinged at least at half its own interval.
    public init(
        operations: AgentOperations, clock: AgentClock = .realTime, executor: DedicatedThreadExecutor,
        interval: Duration = .seconds(1), logger: Logger
    ) {
        self.operations = operations
        self.clock = clock
        self.executor = executor
        self.interval = min(interval, operations.notifier.watchdogPingInterval ?? interval)
        self.logger = logger
    }

    public func run() async throws {
        try await withTaskExecutorPreference(executor) { try await writeUntilShutdown() }
    }

    private func writeUntilShutdown() async throws {
        // A cycle running for the whole watchdog interval is stuck: stop pinging and let systemd restart the agent.
        let stallLimit = operations.notifier.watchdogInterval ?? .seconds(60)
        let ticks = ContinuousClock()
        do {
            try await cancelWhenGracefulShutdown {
                var deadline = ticks.now
                var stalled = false
                while !Task.isCancelled {
                    let alive = operations.pingWatchdog(stallLimit: stallLimit)
                    if alive == stalled {
                        // Said once when it happens and once when it ends, not at every tick.
                        stalled = !alive
                        if stalled {
                            logger.error("control loop stalled: watchdog pings stopped", metadata: [
                                "loop.cycle_running": "\(operations.heartbeat.cycleRunning().map { "\($0)" } ?? "-")",
                            ])
                        } else {
                            logger.notice("control loop running again: watchdog pings resumed")
                        }
                    }
                    operations.writeOutputs(now: clock.now())
                    deadline = deadline.advanced(by: interval)
                    if deadline < ticks.now { deadline = ticks.now }
                    try await ticks.sleep(until: deadline)
                }
            }
        } catch is CancellationError {}
        // The last figures, so that the status after a stop shows the last cycle.
        operations.writeOutputs(now: clock.now())
    }
}
