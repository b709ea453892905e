public import Telemetry

/// Where the aggregator keeps telemetry: a ledger of batches (deduplicated on agent and sequence),
/// raw samples in quanta, one-minute aggregates and the fleet view (docs/aggregator-storage.md).
///
/// `SQLiteTelemetryStore` is the real store; `AggregatorTesting.InMemoryTelemetryStore` has the same semantics for
/// tests. Every method is async and safe from any task: the SQLite store runs its statements on threads of its own,
/// never on the cooperative pool.
public protocol TelemetryStore: Sendable {
    /// Stores `batch` once: samples, minute aggregates and fleet state, committed before this returns.
    /// A sequence already stored with the same contents is `.duplicate`; with other contents, `.conflict`.
    /// Throws `storage.busy` (`isBusy`) at once when the store's write queue is full: nothing was written.
    func ingest(batch: TelemetryBatch, frameBytes: Int, receivedAtMs: Int64) async throws(TelemetryStoreError) -> IngestReceipt
    /// The highest sequence h such that every sequence from the agent's first stored one to h is stored.
    func acknowledgedThrough(agent: String) async throws(TelemetryStoreError) -> UInt64?
    /// Deletes raw samples before `rawOlderThanMs`, aggregates (and ledger rows) before `aggregatesOlderThanMs`,
    /// in chunks of at most `chunkRows` rows, each in its own transaction so that ingest can interleave.
    func prune(rawOlderThanMs: Int64, aggregatesOlderThanMs: Int64, chunkRows: Int) async throws(TelemetryStoreError) -> PruneResult
    /// The latest state of every agent, ordered by agent id.
    func fleet() async throws(TelemetryStoreError) -> [AgentFleetState]
    /// Samples of `agent` in `[fromMs, toMs)`; see `SampleQuery` for the resolution and the row limit.
    func samples(_ query: SampleQuery) async throws(TelemetryStoreError) -> SampleSeries
    /// Count and checksum of every raw sample held for `agent` (what `v2g-aggregator audit` compares with
    /// the agent's produced ledger); raw samples already pruned are not in it.
    func ledger(agent: String) async throws(TelemetryStoreError) -> TelemetryLedger
    /// Counters since the store was opened (for metrics).
    func counters() -> StoreCounters
}

/// What `ingest` did, and the agent's contiguous acknowledgement right after it (read in the same transaction).
public struct IngestReceipt: Sendable, Hashable {
    public var result: IngestResult
    /// See `TelemetryStore.acknowledgedThrough(agent:)`; nil for a conflict on an agent never stored.
    public var acknowledgedThrough: UInt64?

    public init(_ result: IngestResult, acknowledgedThrough: UInt64?) {
        self.result = result
        self.acknowledgedThrough = acknowledgedThrough
    }
}

/// What `ingest` did.
public enum IngestResult: Sendable, Hashable {
    /// A new batch: `samples` cells were stored (cells at a time already stored for the channel are skipped).
    case stored(samples: Int)
    /// The same batch had been stored before: nothing was written.
    case duplicate
    /// The sequence was stored before with different contents (the agent reused a sequence number): nothing written.
    case conflict
}

/// What `prune` deleted.
public struct PruneResult: Sendable, Hashable {
    public var rawSamples: Int = 0
    public var minuteAggregates: Int = 0
    public var ledgerBatches: Int = 0

    public init(rawSamples: Int = 0, minuteAggregates: Int = 0, ledgerBatches: Int = 0) {
        self.rawSamples = rawSamples
        self.minuteAggregates = minuteAggregates
        self.ledgerBatches = ledgerBatches
    }
}

/// One channel's latest sample as the aggregator last received it.
public struct LatestSample: Sendable, Hashable {
    public var channel: ChannelSpec
    public var timeMs: Int64
    public var quanta: Int64

    public init(channel: ChannelSpec, timeMs: Int64, quanta: Int64) {
        self.channel = channel
        self.timeMs = timeMs
        self.quanta = quanta
    }

    /// The value as exact decimal text in the channel's unit.
    public var text: String { channel.quantum.text(ofQuanta: quanta) }
}

/// The fleet view of one agent.
public struct AgentFleetState: Sendable, Hashable {
    public var agentID: String
    /// When the newest batch was received (aggregator clock), ms since the epoch.
    public var lastSeenMs: Int64
    /// The highest sequence stored.
    public var highestSequence: UInt64
    /// See `TelemetryStore.acknowledgedThrough(agent:)`.
    public var acknowledgedThrough: UInt64
    /// Batches stored for the agent (over the life of the store, not reset by pruning).
    public var batches: Int64
    /// The newest sample of every channel the agent ever sent, ordered by channel name.
    public var latest: [LatestSample]

    public init(
        agentID: String, lastSeenMs: Int64, highestSequence: UInt64, acknowledgedThrough: UInt64,
        batches: Int64, latest: [LatestSample]
    ) {
        self.agentID = agentID
        self.lastSeenMs = lastSeenMs
        self.highestSequence = highestSequence
        self.acknowledgedThrough = acknowledgedThrough
        self.batches = batches
        self.latest = latest
    }
}
