public import Logging

/// One wake of the uplink: post up to `framesPerWake` pending frames, oldest first, and apply the answers to the
/// queue. It deletes a frame only on an acknowledgement naming its sequence; it sets a frame aside only on a
/// permanent refusal; it stops at the first retryable failure (the frames after it would meet the same fate).
public struct UplinkDrain: Sendable {
    public let queue: TelemetryQueue
    public let transport: any TelemetryTransport
    public let framesPerWake: Int
    private let logger: Logger

    public init(queue: TelemetryQueue, transport: any TelemetryTransport, framesPerWake: Int = 16, logger: Logger) {
        self.queue = queue
        self.transport = transport
        self.framesPerWake = max(1, framesPerWake)
        self.logger = logger
    }

    /// What one wake did, for the schedule, the logs and the metrics.
    public struct Report: Sendable, Hashable {
        public var acknowledged: [UInt64] = []
        public var duplicates = 0
        /// Bytes of the frames posted, whatever the answer.
        public var frameBytesSent = 0
        public var rejected: [UInt64] = []
        /// The retryable failure that ended the wake, if any.
        public var failure: UplinkFailure?
        /// A queue error (full or unusable disk); the frames stay where they are.
        public var queueError: String?
        public var outcome: UplinkSchedule.Outcome = .drained

        public init() {}
    }

    /// Posts pending frames; `nowMs` stamps rejections.
    public func drain(nowMs: Int64) async -> Report {
        var report = Report()
        let frames: [PendingFrame]
        do {
            frames = try queue.pendingFrames(limit: framesPerWake + 1)
        } catch {
            report.queueError = error.label
            // UplinkService logs a failing queue when it starts and when it ends.
            logger.debug("telemetry queue unreadable", metadata: ["uplink.error": "\(error)"])
            report.outcome = .retryableFailure
            return report
        }
        for frame in frames.prefix(framesPerWake) {
            if Task.isCancelled { report.outcome = .retryableFailure; return report }
            report.frameBytesSent += frame.bytes.count
            switch await transport.post(frame: frame.bytes, sequence: frame.sequence) {
            case .acknowledged(let sequence, let duplicate):
                do {
                    try queue.acknowledge(sequence: sequence)
                } catch {
                    // Resent later and acknowledged as a duplicate: nothing lost, nothing doubled.
                    report.queueError = error.label
                }
                report.acknowledged.append(sequence)
                if duplicate { report.duplicates += 1 }
            case .permanent(let failure):
                logger.info("aggregator refused a telemetry frame for good; set aside", metadata: [
                    "uplink.sequence": "\(frame.sequence)", "uplink.reason": "\(failure.label)", "uplink.message": "\(failure.message)",
                ])
                do {
                    try queue.reject(sequence: frame.sequence, reason: failure.description, atMs: nowMs)
                    report.rejected.append(frame.sequence)
                } catch {
                    report.queueError = error.label
                    report.failure = failure
                    report.outcome = .retryableFailure
                    return report
                }
            case .retryable(let failure):
                logger.debug("telemetry upload failed; backing off", metadata: [
                    "uplink.sequence": "\(frame.sequence)", "uplink.reason": "\(failure.label)",
                ])
                report.failure = failure
                report.outcome = .retryableFailure
                return report
            }
        }
        report.outcome = frames.count > framesPerWake ? .backlog : .drained
        return report
    }
}
