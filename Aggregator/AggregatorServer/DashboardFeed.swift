public import AggregatorKit
import FoundationEssentials
public import GridCore
public import ServiceLifecycle
import PolicyTrust
import Synchronization

/// Where the dashboard reads the neighborhood. Only the boards are required; the rest adds to the picture.
public struct DashboardSources: Sendable {
    public var fleet: FleetStateBoard
    public var envelopes: EnvelopeBoard
    /// Agents without a state report are drawn from their newest telemetry.
    public var telemetry: (any TelemetryStore)?
    /// Rollouts, and the pinned root the envelopes are verified against before they are shown.
    public var coordinator: RolloutCoordinator?
    /// The planner's latest pass, planned against achieved; nil: no planner, or no plan yet.
    public var plan: @Sendable () async -> DashboardPlanSummary?
    /// The wall clock unless a test gives its own.
    public var now: @Sendable () -> Timestamp

    public init(
        fleet: FleetStateBoard, envelopes: EnvelopeBoard, telemetry: (any TelemetryStore)? = nil, coordinator: RolloutCoordinator? = nil,
        plan: @escaping @Sendable () async -> DashboardPlanSummary? = { nil },
        now: (@Sendable () -> Timestamp)? = nil
    ) {
        (self.fleet, self.envelopes, self.telemetry, self.coordinator, self.plan) = (fleet, envelopes, telemetry, coordinator, plan)
        self.now = now ?? NeighborhoodState.wallClock
    }

    /// The boards read at one instant. An envelope that does not verify against the pinned root (or with no root
    /// pinned) is left out: the dashboard shows only what the agent itself would accept.
    func inputs() async -> DashboardInputs {
        let now = now()
        let root = coordinator?.trustRoot
        let documents = envelopes.all(at: now).compactMap { posted in
            root.flatMap { try? EnvelopeDocument.verify(posted.bytes, root: $0, agentID: posted.agentID, lastSequence: nil, now: now) }
        }
        let telemetry = (try? await self.telemetry?.fleet()) ?? []
        return DashboardInputs(
            now: now, fleet: fleet.entries(), telemetry: telemetry, envelopes: documents, plan: await plan(),
            rollouts: coordinator?.rollouts ?? [])
    }
}

/// Builds a frame every `period`, keeps the last points for the charts, and hands each frame to the open streams.
/// The number of streams is bounded; a stream ends when its client goes, at graceful shutdown, or when the feed stops.
public final class DashboardFeed: Service, Sendable {
    /// One server-sent event, already framed (`event:` and `data:` lines).
    public struct Event: Sendable {
        public let bytes: [UInt8]
    }

    /// An open stream: its events, and the slot it holds until `close()`.
    public struct Subscription: Sendable {
        public let events: AsyncStream<Event>
        let id: UInt64
        let feed: DashboardFeed

        public func close() { feed.unsubscribe(id) }
    }

    private struct State {
        var latest: DashboardFrame?
        var history: [DashboardPoint] = []
        var streams: [UInt64: AsyncStream<Event>.Continuation] = [:]
        var nextID: UInt64 = 0
        var stopped = false
    }

    let sources: DashboardSources
    let settings: DashboardSettings
    let period: Duration
    let historyPoints: Int
    public let maxStreams: Int
    private let state = Mutex(State())

    /// - Parameters:
    ///   - historyPoints: chart points kept (300 at 2 s: ten minutes).
    ///   - maxStreams: dashboards open at once; one more is answered 503.
    public init(
        sources: DashboardSources, settings: DashboardSettings = .init(), period: Duration = .seconds(2), historyPoints: Int = 300,
        maxStreams: Int = 16
    ) {
        (self.sources, self.settings, self.period) = (sources, settings, period)
        (self.historyPoints, self.maxStreams) = (max(1, historyPoints), max(1, maxStreams))
    }

    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                self.publish(DashboardFrame(await self.sources.inputs(), settings: self.settings))
                try await Task.sleep(for: self.period)
            }
        }
        stop()
    }

    /// The newest frame built, if any.
    public var latest: DashboardFrame? { state.withLock { $0.latest } }

    /// A new stream, opened with the chart history and the newest frame; nil when `maxStreams` are open or the
    /// feed has stopped.
    public func subscribe() -> Subscription? {
        let (events, continuation) = AsyncStream.makeStream(of: Event.self, bufferingPolicy: .bufferingNewest(8))
        let id: UInt64? = state.withLock { state in
            guard !state.stopped, state.streams.count < maxStreams else { return nil }
            state.nextID += 1
            state.streams[state.nextID] = continuation
            continuation.yield(Self.event("history", state.history))
            if let latest = state.latest { continuation.yield(Self.event("frame", latest)) }
            return state.nextID
        }
        guard let id else { return nil }
        let subscription = Subscription(events: events, id: id, feed: self)
        continuation.onTermination = { [weak self] _ in self?.unsubscribe(id) }
        return subscription
    }

    /// Streams open now.
    public var openStreams: Int { state.withLock { $0.streams.count } }

    func publish(_ frame: DashboardFrame) {
        let event = Self.event("frame", frame)
        let point = frame.point ?? DashboardPoint(frame)
        let streams = state.withLock { state in
            state.latest = frame
            state.history.append(point)
            if state.history.count > historyPoints { state.history.removeFirst(state.history.count - historyPoints) }
            return Array(state.streams.values)
        }
        // A slow client drops its oldest buffered frames (the next one supersedes them); it never holds the feed.
        for stream in streams { stream.yield(event) }
    }

    func unsubscribe(_ id: UInt64) {
        let stream = state.withLock { $0.streams.removeValue(forKey: id) }
        stream?.finish()
    }

    /// Ends every stream and refuses new ones.
    func stop() {
        let streams = state.withLock { state in
            state.stopped = true
            defer { state.streams.removeAll() }
            return Array(state.streams.values)
        }
        for stream in streams { stream.finish() }
    }

    static func event(_ name: String, _ value: some Encodable) -> Event {
        Event(bytes: Array("event: \(name)\ndata: ".utf8) + ResponseJSON.encode(value) + Array("\n\n".utf8))
    }
}
