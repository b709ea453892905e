public import GridCore
public import Logging
public import ServiceLifecycle

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs the control loop every cycle period until graceful shutdown (SIGTERM/SIGINT through the ServiceGroup).
/// Deadlines are absolute, so the period does not drift; an overrun starts the next cycle at once
/// rather than bursting to catch up.
///
/// The whole service runs on `executor`, a thread of its own: the cycle blocks on libmodbus (up to the response
/// timeout per device) and on SQLite, and none of that may hold a thread of the cooperative pool, where the uplink
/// and the outputs run. `afterCycle` runs there too, so it may block (the telemetry append does).
public struct ControlLoopService: Service {
    /// The loop is built inside `run()`, on the thread that will own it.
    private let makeLoop: @Sendable () -> ControlLoop
    private let afterCycle: @Sendable (CycleOutcome, ControlLoop, _ durationS: Double, _ now: Timestamp) -> Void
    private let logger: Logger
    private let agentClock: AgentClock
    private let executor: DedicatedThreadExecutor
    private let heartbeat: LoopHeartbeat?

    public init(
        logger: Logger, clock agentClock: AgentClock = .realTime, executor: DedicatedThreadExecutor, heartbeat: LoopHeartbeat? = nil,
        makeLoop: @escaping @Sendable () -> ControlLoop,
        afterCycle: @escaping @Sendable (CycleOutcome, ControlLoop, _ durationS: Double, _ now: Timestamp) -> Void = { _, _, _, _ in }
    ) {
        self.makeLoop = makeLoop
        self.afterCycle = afterCycle
        self.logger = logger
        self.agentClock = agentClock
        self.executor = executor
        self.heartbeat = heartbeat
    }

    public func run() async throws {
        try await withTaskExecutorPreference(executor) { try await runLoop() }
    }

    private func runLoop() async throws {
        let box = LoopBox(makeLoop())
        let clock = ContinuousClock()
        let afterCycle = self.afterCycle
        let agentClock = self.agentClock
        let heartbeat = self.heartbeat
        // Graceful shutdown cancels the sleep: that is the normal way out, and the shutdown below must still run.
        do {
            try await cancelWhenGracefulShutdown {
                var deadline = clock.now
                while !Task.isCancelled {
                    let started = clock.now
                    heartbeat?.cycleStarted(at: started)
                    let now = agentClock.now()
                    let outcome = box.loop.runCycle(now: now)
                    let took = started.duration(to: clock.now)
                    afterCycle(outcome, box.loop, Double(took.components.seconds) + Double(took.components.attoseconds) / 1e18, now)
                    heartbeat?.cycleEnded()
                    let periodS = agentClock.wallSeconds(for: box.loop.policy.cyclePeriodS)
                    deadline = deadline.advanced(by: .microseconds(Int64(periodS * 1_000_000)))
                    if deadline < clock.now { deadline = clock.now }
                    try await clock.sleep(until: deadline)
                }
            }
        } catch is CancellationError {}
        box.loop.shutDown(now: agentClock.now())
        logger.info("control loop stopped")
    }
}

/// Carries the loop into the shutdown-aware closure. Safe: only this service's single task ever touches it, and that
/// task runs on the service's own thread.
private final class LoopBox: @unchecked Sendable {
    let loop: ControlLoop
    init(_ loop: ControlLoop) { self.loop = loop }
}

extension Timestamp {
    /// The system's real-time clock; only the daemon's outer loop reads it.
    public static func wallClock() -> Timestamp {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Timestamp(secondsSinceEpoch: Double(now.tv_sec) + Double(now.tv_nsec) / 1e9)
    }
}
