public import EdgeCurl
public import GridCore
public import Logging
public import ServiceLifecycle

/// Posts the newest state report to `POST /v1/agents/{id}/state` every `intervalS` over the uplink's mutual TLS, and
/// hands an envelope in the answer (200 with the signed DSSE JSON; 204 or an empty body for none) to the envelope
/// inbox. A lost report is not retried: the next one supersedes it. Nothing here changes regulation: with the link
/// down no envelope arrives, the one in force lapses at its `valid_until`, and the agent runs on its own policy.
///
/// In the agent it runs on a thread of its own (`v2g-state`); the HTTPS transfer blocks the client's dispatch queue.
public struct StateReportService: Service {
    /// What one post came to, for tests and the log.
    public enum Outcome: Sendable, Equatable {
        /// No cycle ran since the last post.
        case nothingToSend
        /// Posted; `envelopeBytes` is the answer's body when it carried one.
        case posted(envelopeBytes: Int)
        case failed(String)
    }

    private let client: CurlClient
    private let url: String
    private let intervalS: Double
    private let board: StateReportBoard
    private let envelopes: EnvelopeInbox?
    private let now: @Sendable () -> Timestamp
    private let executor: DedicatedThreadExecutor?
    private let logger: Logger

    /// `now` stamps envelope deliveries (the agent's clock); `intervalS` is wall time.
    public init(
        settings: UplinkSettings, intervalS: Double, board: StateReportBoard, envelopes: EnvelopeInbox?,
        now: @escaping @Sendable () -> Timestamp, executor: DedicatedThreadExecutor? = nil, logger: Logger
    ) throws(UplinkError) {
        do {
            client = try CurlClient(settings: settings.curl, label: "v2g-agent.state")
        } catch {
            throw .setup(error.description)
        }
        url = settings.stateURL
        self.intervalS = intervalS
        self.board = board
        self.envelopes = envelopes
        self.now = now
        self.executor = executor
        self.logger = logger
    }

    public func run() async throws {
        try await withTaskExecutorPreference(executor) { try await runPosts() }
    }

    private func runPosts() async throws {
        let clock = ContinuousClock()
        let period = Duration.microseconds(Int64(intervalS * 1_000_000))
        // Graceful shutdown cancels the sleep: that is the normal way out.
        do {
            try await cancelWhenGracefulShutdown {
                var failing: String?
                var deadline = clock.now
                while !Task.isCancelled {
                    let outcome = await postOnce()
                    // Said when the link starts failing and when it works again, not every 2 s.
                    switch outcome {
                    case .failed(let why):
                        if failing == nil { logger.warning("state report not delivered", metadata: ["state.error": "\(why)"]) }
                        failing = why
                    case .posted:
                        if failing != nil { logger.notice("state reports delivered again") }
                        failing = nil
                    case .nothingToSend:
                        break
                    }
                    deadline = deadline.advanced(by: period)
                    if deadline < clock.now { deadline = clock.now }
                    try await clock.sleep(until: deadline)
                }
            }
        } catch is CancellationError {}
        logger.info("state reporter stopped")
    }

    /// Posts the newest report once and delivers any envelope in the answer.
    public func postOnce() async -> Outcome {
        guard let report = board.take() else { return .nothingToSend }
        let response: CurlResponse
        do {
            response = try await client.post(url, body: report.encoded(), headers: ["Content-Type: application/json"])
        } catch {
            return .failed(error.label)
        }
        switch response.status {
        case 204:
            return .posted(envelopeBytes: 0)
        case 200:
            guard !response.body.isEmpty else { return .posted(envelopeBytes: 0) }
            // A truncated body is delivered as it is: the inbox refuses it (MALFORMED), with the reason in the log.
            envelopes?.deliver(EnvelopeInbox.Delivery(bytes: response.body, receivedAt: now(), source: url))
            return .posted(envelopeBytes: response.body.count)
        default:
            return .failed("http_\(response.status)")
        }
    }
}

extension UplinkSettings {
    /// The state endpoint, `{baseURL}/v1/agents/{agentID}/state`, the agent id encoded as for telemetry.
    public var stateURL: String { String(telemetryURL.dropLast("telemetry".count)) + "state" }
}
