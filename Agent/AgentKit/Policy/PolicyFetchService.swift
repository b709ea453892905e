public import Logging
public import ServiceLifecycle

/// Runs the policy fetcher in the agent's ServiceGroup: a full round (roots, bundle, reports) at start and every
/// `interval_s`; reports kept in between (an adoption, a revert) go out within a second, and after a failure they
/// are retried with exponential backoff and full jitter.
///
/// The fetcher blocks on SQLite, so the service runs on a thread of its own (`v2g-policy`); HTTPS transfers wait on
/// EdgeCurl's dispatch queue. Neither holds a thread of Swift's cooperative pool, and the control loop never waits
/// for any of it: a bundle reaches the loop through its inbox.
public struct PolicyFetchService: Service {
    private let fetcher: PolicyFetcher
    private let watch: PolicyWatch
    private let executor: DedicatedThreadExecutor?
    private let unitRandom: @Sendable () -> Double
    private let logger: Logger

    public init(
        fetcher: PolicyFetcher, watch: PolicyWatch, executor: DedicatedThreadExecutor?,
        unitRandom: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }, logger: Logger
    ) {
        self.fetcher = fetcher
        self.watch = watch
        self.executor = executor
        self.unitRandom = unitRandom
        self.logger = logger
    }

    public func run() async throws {
        try await withTaskExecutorPreference(executor) { try await runRounds() }
    }

    private func runRounds() async throws {
        let ticks = ContinuousClock()
        let intervalS = fetcher.settings.intervalS
        let backoff = UplinkBackoff(capS: min(fetcher.settings.backoffCapS, intervalS))
        do {
            try await cancelWhenGracefulShutdown {
                var nextRound = ticks.now
                var nextReports: ContinuousClock.Instant?
                var failures = 0
                var lastFailure: String?
                while !Task.isCancelled {
                    let now = ticks.now
                    var failure: String?
                    var heldBack = false
                    if now >= nextRound {
                        let round = await fetcher.round()
                        nextRound = now.advanced(by: .milliseconds(Int64(intervalS * 1_000)))
                        failure = round.failure
                        heldBack = round.reportsHeldBack
                    } else if watch.takeNudge() || nextReports.map({ now >= $0 }) == true {
                        let reports = await fetcher.postReports()
                        failure = reports.failure
                        heldBack = reports.failure != nil
                    } else {
                        try await ticks.sleep(for: .seconds(1))
                        continue
                    }
                    failures = failure == nil ? 0 : failures + 1
                    nextReports = heldBack
                        ? now.advanced(by: .milliseconds(Int64(1_000 * max(1, backoff.delayS(afterFailures: failures, unitRandom: unitRandom())))))
                        : nil
                    if failure != lastFailure {
                        // Said when the link starts failing and when it works again, not at every round.
                        if let failure {
                            logger.warning("policy fetch failing", metadata: ["policy.error": "\(failure)", "policy.url": "\(fetcher.settings.baseURL)"])
                        } else {
                            logger.notice("policy fetch working again")
                        }
                        lastFailure = failure
                    }
                    try await ticks.sleep(for: .seconds(1))
                }
            }
        } catch is CancellationError {}
        logger.info("policy fetch stopped")
    }
}
