public import GridCore
public import Logging
import Synchronization

/// The agent's side of the telemetry link, assembled from the config: every cycle's sample goes into the
/// bounded SQLite queue; `service` seals batches and uploads them over mutual TLS.
public final class AgentUplink: Sendable {
    public let queue: TelemetryQueue
    public let channels: AgentChannels
    public let service: UplinkService<ContinuousClock>
    private let logger: Logger
    private let appendErrors = Mutex(0)

    public init(config: AgentConfig, settings: UplinkConfig, clock: AgentClock, logger: Logger) throws {
        channels = AgentChannels(chargerIDs: config.chargers.map(\.id))
        let directory = config.stateDirectory.hasSuffix("/") ? config.stateDirectory : config.stateDirectory + "/"
        queue = try TelemetryQueue(
            path: directory + "telemetry.sqlite", agentID: config.agentID, channels: channels, maxRawRows: settings.queueMaxRows)
        var link = UplinkSettings(
            baseURL: settings.baseURL, agentID: config.agentID,
            tls: UplinkTLSFiles(caPath: settings.caFile, certificatePath: settings.certFile, keyPath: settings.keyFile))
        link.connectTimeoutS = settings.connectTimeoutS
        link.totalTimeoutS = settings.totalTimeoutS
        let drain = UplinkDrain(queue: queue, transport: try CurlTransport(settings: link), logger: logger)
        service = UplinkService(
            drain: drain, batchIntervalS: settings.batchIntervalS, clock: ContinuousClock(),
            nowMs: { Int64((clock.now().secondsSinceEpoch * 1000).rounded()) }, logger: logger)
        self.logger = logger
    }

    /// Queues one cycle's sample. A full disk or a clock step backwards is logged (sparingly), never thrown.
    public func record(_ outcome: CycleOutcome, loop: ControlLoop, now: Timestamp) {
        guard let inputs = loop.lastInputs else { return }
        let sample = channels.sample(timeMs: Int64((now.secondsSinceEpoch * 1000).rounded()), inputs: inputs, figures: outcome.figures)
        do {
            try queue.append(sample)
        } catch {
            let count = appendErrors.withLock { count in count += 1; return count }
            if count == 1 || count % 600 == 0 {
                logger.warning("telemetry sample not queued: \(error)", metadata: ["errors": "\(count)"])
            }
        }
    }
}
