public import Logging
public import ServiceLifecycle

/// Seals a batch every `batchIntervalS` and drains pending frames to the aggregator, with backoff on failures.
///
/// It runs in the agent's ServiceGroup beside `ControlLoopService`. Its queue calls block on SQLite, so in the agent it
/// runs on a thread of its own (`executor`); the HTTPS call blocks `CurlTransport`'s dispatch queue instead, and each
/// wake posts at most `framesPerWake` frames before sleeping or yielding.
public struct UplinkService<C: Clock>: Service where C.Duration == Duration {
    private let drain: UplinkDrain
    private let batchIntervalS: Double
    private let backoff: UplinkBackoff
    private let clock: C
    private let unitRandom: @Sendable () -> Double
    private let nowMs: @Sendable () -> Int64
    private let onWake: @Sendable (UplinkDrain.Report, TelemetryQueueStatus?) -> Void
    private let executor: DedicatedThreadExecutor?
    private let logger: Logger

    /// `unitRandom` (in [0, 1)) and `clock` are injected for tests; `nowMs` stamps rejections (the agent's clock);
    /// `onWake` receives each wake's report and the queue counters (for the metrics textfile).
    public init(
        drain: UplinkDrain, batchIntervalS: Double = 10, backoff: UplinkBackoff = .init(), clock: C,
        unitRandom: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
        nowMs: @escaping @Sendable () -> Int64,
        onWake: @escaping @Sendable (UplinkDrain.Report, TelemetryQueueStatus?) -> Void = { _, _ in },
        executor: DedicatedThreadExecutor? = nil, logger: Logger
    ) {
        self.drain = drain
        self.batchIntervalS = batchIntervalS
        self.backoff = backoff
        self.clock = clock
        self.unitRandom = unitRandom
        self.nowMs = nowMs
        self.onWake = onWake
        self.executor = executor
        self.logger = logger
    }

    public func run() async throws {
        try await withTaskExecutorPreference(executor) { try await runWakes() }
    }

    private func runWakes() async throws {
        let batchIntervalS = self.batchIntervalS, backoff = self.backoff
        let start = clock.now
        let seconds = { @Sendable (instant: C.Instant) -> Double in
            let elapsed = start.duration(to: instant)
            return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        }
        // Graceful shutdown cancels the sleep: that is the normal way out, and the shutdown below must still run.
        do {
            try await cancelWhenGracefulShutdown {
                var schedule = UplinkSchedule(batchIntervalS: batchIntervalS, backoff: backoff)
                // The queue's last failure, so that a failing disk is logged when it starts and ends, not at every wake.
                var queueFailure: String?
                while !Task.isCancelled {
                    let now = seconds(clock.now)
                    var failure: String?
                    if schedule.shouldSeal(atS: now) {
                        do {
                            try drain.queue.seal()
                        } catch {
                            failure = "\(error)"
                        }
                    }
                    var report = UplinkDrain.Report()
                    report.outcome = .waited
                    if schedule.shouldPost(atS: now) { report = await drain.drain(nowMs: nowMs()) }
                    if let label = report.queueError, failure == nil { failure = label }
                    if (failure == nil) != (queueFailure == nil) {
                        if let failure {
                            logger.warning("telemetry queue failing", metadata: ["uplink.error": "\(failure)"])
                        } else {
                            logger.notice("telemetry queue working again")
                        }
                    }
                    queueFailure = failure
                    onWake(report, try? drain.queue.status())
                    let sleepS = schedule.record(report.outcome, atS: seconds(clock.now), unitRandom: unitRandom())
                    if sleepS > 0 {
                        try await clock.sleep(for: .microseconds(Int64(sleepS * 1_000_000)))
                    } else {
                        await Task.yield()
                    }
                }
            }
        } catch is CancellationError {}
        // Seal what the last cycles sampled: it is uploaded after the restart.
        _ = try? drain.queue.seal()
        logger.info("uplink stopped")
    }
}
