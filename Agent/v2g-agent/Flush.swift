import AgentKit
import ArgumentParser
import GridCore
import Logging

/// Uploads every queued sample now, without regulating: for a controller about to be replaced or re-imaged.
struct Flush: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Seal and upload every queued telemetry sample now, then print the queue and the produced ledger.",
        discussion: """
            Run it with the agent stopped (systemctl stop v2g-agent): it seals the unsealed samples and posts every
            pending frame over the configured uplink, stopping at the first retryable failure. Exit status 0 when
            the queue is empty afterwards, 1 otherwise. The produced ledger (count and checksum of every value the
            agent queued) is what `v2g-aggregator audit` should show for this agent when nothing was lost.
            """
    )

    @Option(name: .long, help: "Agent configuration file.")
    var config: String

    func run() async throws {
        let loaded: (config: AgentConfig, warnings: [String])
        do { loaded = try AgentConfig.load(path: config) } catch { throw fail(error.description) }
        let config = loaded.config
        guard let settings = config.uplink else { throw fail("\(self.config): no uplink section, nothing to upload to") }
        var logger = Logger(label: "v2g-agent")
        logger.logLevel = .warning
        let uplink: AgentUplink
        let queuePath = AgentUplink.queuePath(for: config)
        do {
            uplink = try AgentUplink(config: config, settings: settings, clock: .realTime, logger: logger)
        } catch let error as TelemetryQueueError {
            throw fail("\(queuePath): \(error.message)")
        } catch {
            throw fail("\(self.config): uplink: \(error)")
        }
        let result: (last: UplinkDrain.Report, queue: TelemetryQueueStatus)
        do {
            result = try await uplink.flush(nowMs: Int64((Timestamp.wallClock().secondsSinceEpoch * 1000).rounded()))
        } catch {
            throw fail("\(queuePath): \(error.message)")
        }
        let queue = result.queue
        print("pending_frames=\(queue.pendingFrames) unsealed_samples=\(queue.unsealedSamples) rejected_frames=\(queue.rejectedFrames) next_sequence=\(queue.nextSequence)")
        print("produced \(queue.produced)")
        print("dropped \(queue.dropped)")
        if let failure = result.last.failure { print("stopped: \(failure.label): \(failure.message)") }
        if queue.pendingFrames > 0 || queue.unsealedSamples > 0 { throw ExitCode(1) }
    }
}
