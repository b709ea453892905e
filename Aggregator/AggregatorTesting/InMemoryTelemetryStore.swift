public import AggregatorKit
import Synchronization
public import Telemetry

/// The telemetry store in memory, with the same semantics as `SQLiteTelemetryStore`, for tests: nothing survives
/// the process, and it is in no program (a test-support target).
public final class InMemoryTelemetryStore: TelemetryStore {
    private struct Agent {
        var highestSequence: UInt64
        var acknowledgedThrough: UInt64
        var lastSeenMs: Int64
        var batches: Int64
        var ledger: [UInt64: (digest: Int64, receivedAtMs: Int64)] = [:]
    }

    private struct Contents {
        var agents: [String: Agent] = [:]
        var samples: [ChannelKey: [Int64: Int64]] = [:]
        var minutes: [ChannelKey: [Int64: MinuteAggregate]] = [:]
        var latest: [ChannelKey: LatestSample] = [:]
        var rawFromMs: Int64?
        var counters = StoreCounters()
    }

    private let contents = Mutex(Contents())

    public init() {}

    public func ingest(batch: TelemetryBatch, frameBytes: Int, receivedAtMs: Int64) async throws(TelemetryStoreError) -> IngestReceipt {
        let digest = BatchCells.digest(of: batch)
        let result: Result<IngestReceipt, TelemetryStoreError> = contents.withLock { store in
            if let stored = store.agents[batch.agentID]?.ledger[batch.sequence] {
                let result: IngestResult = stored.digest == digest ? .duplicate : .conflict
                store.counters.record(result, agent: batch.agentID, frameBytes: frameBytes)
                return .success(IngestReceipt(result, acknowledgedThrough: store.agents[batch.agentID]?.acknowledgedThrough))
            }
            // Work on a copy so that a failure (aggregate overflow) leaves nothing behind, as a rollback would.
            var next = store
            do throws(TelemetryStoreError) {
                let samples = try Self.store(batch, digest: digest, receivedAtMs: receivedAtMs, into: &next)
                next.counters.record(.stored(samples: samples), agent: batch.agentID, frameBytes: frameBytes)
                store = next
                return .success(IngestReceipt(.stored(samples: samples), acknowledgedThrough: next.agents[batch.agentID]?.acknowledgedThrough))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    private static func store(
        _ batch: TelemetryBatch, digest: Int64, receivedAtMs: Int64, into store: inout Contents
    ) throws(TelemetryStoreError) -> Int {
        var minutes = MinuteAccumulator()
        var samples = 0
        try BatchCells.forEachCell(of: batch) { (channel, timeMs, quanta) throws(TelemetryStoreError) in
            let spec = batch.channels[channel]
            let key = ChannelKey(agentID: batch.agentID, channel: spec.name)
            guard store.samples[key]?[timeMs] == nil else { return }
            store.samples[key, default: [:]][timeMs] = quanta
            samples += 1
            try minutes.add(channel: spec.name, timeMs: timeMs, quanta: quanta)
            if store.latest[key].map({ timeMs >= $0.timeMs }) ?? true {
                store.latest[key] = LatestSample(channel: spec, timeMs: timeMs, quanta: quanta)
            }
        }
        for (minute, aggregate) in minutes.aggregates {
            let key = ChannelKey(agentID: batch.agentID, channel: minute.channel)
            if var existing = store.minutes[key]?[minute.minuteMs] {
                try existing.merge(aggregate, channel: minute.channel)
                store.minutes[key, default: [:]][minute.minuteMs] = existing
            } else {
                store.minutes[key, default: [:]][minute.minuteMs] = aggregate
            }
        }
        var agent = store.agents[batch.agentID]
            ?? Agent(highestSequence: batch.sequence, acknowledgedThrough: batch.sequence, lastSeenMs: receivedAtMs, batches: 0)
        agent.ledger[batch.sequence] = (digest, receivedAtMs)
        agent.highestSequence = max(agent.highestSequence, batch.sequence)
        agent.lastSeenMs = max(agent.lastSeenMs, receivedAtMs)
        agent.batches += 1
        while agent.acknowledgedThrough < UInt64.max, agent.ledger[agent.acknowledgedThrough + 1] != nil {
            agent.acknowledgedThrough += 1
        }
        store.agents[batch.agentID] = agent
        return samples
    }

    public func acknowledgedThrough(agent: String) async throws(TelemetryStoreError) -> UInt64? {
        contents.withLock { $0.agents[agent]?.acknowledgedThrough }
    }

    public func prune(
        rawOlderThanMs: Int64, aggregatesOlderThanMs: Int64, chunkRows: Int = 10_000
    ) async throws(TelemetryStoreError) -> PruneResult {
        contents.withLock { store in
            var result = PruneResult()
            store.rawFromMs = max(store.rawFromMs ?? rawOlderThanMs, rawOlderThanMs)
            for (key, column) in store.samples {
                let kept = column.filter { $0.key >= rawOlderThanMs }
                result.rawSamples += column.count - kept.count
                store.samples[key] = kept
            }
            for (key, column) in store.minutes {
                let kept = column.filter { $0.key >= aggregatesOlderThanMs }
                result.minuteAggregates += column.count - kept.count
                store.minutes[key] = kept
            }
            for id in Array(store.agents.keys) {
                guard var agent = store.agents[id] else { continue }
                let before = agent.ledger.count
                agent.ledger = agent.ledger.filter { $0.value.receivedAtMs >= aggregatesOlderThanMs }
                result.ledgerBatches += before - agent.ledger.count
                store.agents[id] = agent
            }
            return result
        }
    }

    public func fleet() async throws(TelemetryStoreError) -> [AgentFleetState] {
        contents.withLock { store in
            store.agents.keys.sorted().map { id in
                let agent = store.agents[id]!
                let latest = store.latest.filter { $0.key.agentID == id }.values.sorted { $0.channel.name < $1.channel.name }
                return AgentFleetState(
                    agentID: id, lastSeenMs: agent.lastSeenMs, highestSequence: agent.highestSequence,
                    acknowledgedThrough: agent.acknowledgedThrough, batches: agent.batches, latest: latest)
            }
        }
    }

    public func samples(_ query: SampleQuery) async throws(TelemetryStoreError) -> SampleSeries {
        var specs = try query.checkedChannels()
        return contents.withLock { store in
            if specs.isEmpty {
                specs = store.latest.filter { $0.key.agentID == query.agentID }.values.map(\.channel)
                    .sorted { $0.name < $1.name }
            }
            let resolution = query.resolution ?? (store.rawFromMs.map { query.fromMs < $0 } == true ? .minute : .raw)
            var merger = SeriesMerger(channelCount: specs.count)
            for (index, spec) in specs.enumerated() {
                let key = ChannelKey(agentID: query.agentID, channel: spec.name)
                if resolution == .raw {
                    for (time, quanta) in store.samples[key] ?? [:] where time >= query.fromMs && time < query.toMs {
                        merger.add(timeMs: time, channel: index, cell: .raw(quanta: quanta))
                    }
                } else {
                    let from = BatchCells.minuteStart(of: query.fromMs)
                    for (minute, aggregate) in store.minutes[key] ?? [:] where minute >= from && minute < query.toMs {
                        merger.add(timeMs: minute, channel: index, cell: .minute(aggregate))
                    }
                }
            }
            let (rows, truncated) = merger.rows(limit: query.clampedRowLimit)
            return SampleSeries(
                agentID: query.agentID, fromMs: query.fromMs, toMs: query.toMs, resolution: resolution,
                channels: specs, rows: rows, truncated: truncated)
        }
    }

    public func ledger(agent: String) async throws(TelemetryStoreError) -> TelemetryLedger {
        contents.withLock { store in
            var ledger = TelemetryLedger()
            for (key, samples) in store.samples where key.agentID == agent {
                for (time, quanta) in samples { ledger.add(timeMs: time, channel: key.channel, quanta: quanta) }
            }
            return ledger
        }
    }

    public func counters() -> StoreCounters {
        contents.withLock { $0.counters }
    }
}
