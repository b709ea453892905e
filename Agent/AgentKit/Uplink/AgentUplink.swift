public import GridCore
public import Logging
import Synchronization

/// The agent's side of the telemetry link, assembled from the config: every cycle's sample goes into the
/// bounded SQLite queue; `service` seals batches and uploads them over mutual TLS.
public final class AgentUplink: Sendable {
    public let queue: TelemetryQueue
    public let channels: AgentChannels
    public let service: UplinkService<ContinuousClock>
    /// The uploader's single wake, also used by `flush`.
    public let drain: UplinkDrain
    private let logger: Logger
    private let appendErrors = Mutex(0)
    /// The queue's alarm while appends fail for lack of space or a broken file; nil once an append goes through.
    private let queueAlarm = Mutex<AgentStatus.Alarm?>(nil)
    /// The config's `uplink.queue_max_rows`: the cap when the policy sets none.
    private let configMaxRows: Int

    /// `policy` is the one in force at start (its `telemetry.queue_max_rows` overrides the config's cap);
    /// `onWake` receives each uplink wake's report, the queue's counters and the agent's time (for the status file).
    public convenience init(
        config: AgentConfig, settings: UplinkConfig, clock: AgentClock, policy: ControlPolicy? = nil, logger: Logger,
        onWake: @escaping @Sendable (UplinkDrain.Report, TelemetryQueueStatus?, Timestamp) -> Void = { _, _, _ in }
    ) throws {
        try self.init(
            config: config, settings: settings, clock: clock, policy: policy, maximumPageCount: nil, executor: nil, logger: logger,
            onWake: onWake)
    }

    /// `executor` is the uplink service's own thread (its queue calls block on SQLite); `maximumPageCount` caps the
    /// queue file (`PRAGMA max_page_count`): tests fill it to see the alarm.
    init(
        config: AgentConfig, settings: UplinkConfig, clock: AgentClock, policy: ControlPolicy?, maximumPageCount: Int?,
        executor: DedicatedThreadExecutor?, logger: Logger,
        onWake: @escaping @Sendable (UplinkDrain.Report, TelemetryQueueStatus?, Timestamp) -> Void
    ) throws {
        channels = AgentChannels(chargerIDs: config.chargers.map(\.id))
        configMaxRows = settings.queueMaxRows
        queue = try TelemetryQueue(
            path: Self.queuePath(for: config), agentID: config.agentID, channels: channels,
            maxRawRows: policy?.telemetry?.queueMaxRows ?? settings.queueMaxRows, maximumPageCount: maximumPageCount)
        var link = UplinkSettings(
            baseURL: settings.baseURL, agentID: config.agentID,
            tls: UplinkTLSFiles(caPath: settings.caFile, certificatePath: settings.certFile, keyPath: settings.keyFile))
        link.connectTimeoutS = settings.connectTimeoutS
        link.totalTimeoutS = settings.totalTimeoutS
        let drain = UplinkDrain(queue: queue, transport: try CurlTransport(settings: link), logger: logger)
        self.drain = drain
        service = UplinkService(
            drain: drain, batchIntervalS: settings.batchIntervalS, backoff: UplinkBackoff(capS: settings.backoffCapS), clock: ContinuousClock(),
            nowMs: { Int64((clock.now().secondsSinceEpoch * 1000).rounded()) },
            onWake: { report, status in onWake(report, status, clock.now()) }, executor: executor, logger: logger)
        self.logger = logger
    }

    /// The queue file, in the state directory.
    public static func queuePath(for config: AgentConfig) -> String {
        (config.stateDirectory.hasSuffix("/") ? config.stateDirectory : config.stateDirectory + "/") + "telemetry.sqlite"
    }

    /// Takes the queue cap from `policy` (`telemetry.queue_max_rows`), else from the config; a no-op when unchanged.
    public func apply(_ policy: ControlPolicy) {
        let rows = policy.telemetry?.queueMaxRows ?? configMaxRows
        guard rows != queue.maxRawRows else { return }
        queue.setMaxRawRows(rows)
        logger.info("telemetry queue cap changed", metadata: [
            "uplink.queue_max_rows": "\(rows)", "policy.version": "\(policy.version)",
            "uplink.cap_source": "\(policy.telemetry?.queueMaxRows == nil ? "config" : "policy")",
        ])
    }

    /// Queues one cycle's sample, under the cap of the loop's policy (so a replaced policy applies from its first
    /// cycle). Never throws: a full or broken queue is an alarm (`alarmsInForce`) until an append goes through again;
    /// a clock step backwards is only logged, sparingly (the next sample is fine).
    public func record(_ outcome: CycleOutcome, loop: ControlLoop, now: Timestamp) {
        apply(loop.policy)
        guard let inputs = loop.lastInputs else { return }
        let sample = channels.sample(timeMs: Int64((now.secondsSinceEpoch * 1000).rounded()), inputs: inputs, figures: outcome.figures)
        do throws(TelemetryQueueError) {
            try queue.append(sample)
            queueAlarm.withLock { $0 = nil }
        } catch {
            if let alarm = Self.alarm(for: error) {
                queueAlarm.withLock { $0 = alarm }
                return
            }
            let count = appendErrors.withLock { count in count += 1; return count }
            if count == 1 || count % 600 == 0 {
                logger.warning("telemetry sample not queued: \(error)", metadata: ["errors": "\(count)"])
            }
        }
    }

    /// The alarm an append failure raises: lasting conditions only (space, a broken file), not one bad sample.
    static func alarm(for error: TelemetryQueueError) -> AgentStatus.Alarm? {
        if error.isFull { return AgentStatus.Alarm(code: "TELEMETRY_QUEUE_FULL", message: "samples are not queued: \(error.message)") }
        if error.isUnusable { return AgentStatus.Alarm(code: "TELEMETRY_QUEUE_UNUSABLE", message: "samples are not queued: \(error.message)") }
        return nil
    }

    /// Seals what is unsealed and posts every pending frame, stopping at the first retryable failure
    /// (`v2g-agent flush`, for a controller about to be replaced). Returns the last wake and the queue after it.
    public func flush(nowMs: Int64) async throws(TelemetryQueueError) -> (last: UplinkDrain.Report, queue: TelemetryQueueStatus) {
        try queue.seal()
        var last = UplinkDrain.Report()
        while try queue.status().pendingFrames > 0 {
            last = await drain.drain(nowMs: nowMs)
            if last.failure != nil || last.queueError != nil || (last.acknowledged.isEmpty && last.rejected.isEmpty) { break }
        }
        return (last, try queue.status())
    }
}

extension AgentUplink: AlarmSource {
    public var alarmsInForce: [AgentStatus.Alarm] { queueAlarm.withLock { $0.map { [$0] } ?? [] } }
}
