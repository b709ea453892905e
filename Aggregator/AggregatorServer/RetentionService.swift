public import AggregatorKit
import FoundationEssentials
public import Logging
public import ServiceLifecycle

/// Applies the retention periods of `storage` (raw samples, then one-minute aggregates) once an hour.
///
/// Pruning runs in chunks, each its own transaction, so uploads interleave with a long prune (AggregatorKit).
public struct RetentionService: Service {
    let store: any TelemetryStore
    let rawRetentionDays: Int
    let aggregateRetentionDays: Int
    let interval: Duration
    let logger: Logger

    public init(store: any TelemetryStore, storage: AggregatorConfig.Storage, interval: Duration = .seconds(3_600), logger: Logger) {
        self.store = store
        rawRetentionDays = storage.rawRetentionDays
        aggregateRetentionDays = storage.aggregateRetentionDays
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        // Graceful shutdown cancels the wait; a pass in progress finishes its chunk first.
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                // The first pass waits one interval too: a restart loop must not turn into a prune loop.
                try await Task.sleep(for: interval)
                await pruneOnce(nowMs: Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)))
            }
        }
    }

    /// One pass; failures are logged and the next pass retries.
    public func pruneOnce(nowMs: Int64) async {
        let dayMs: Int64 = 86_400_000
        do {
            let result = try await store.prune(
                rawOlderThanMs: nowMs - Int64(rawRetentionDays) * dayMs,
                aggregatesOlderThanMs: nowMs - Int64(aggregateRetentionDays) * dayMs, chunkRows: 10_000)
            if result != PruneResult() {
                logger.info("retention applied", metadata: [
                    "pruned.raw_samples": "\(result.rawSamples)", "pruned.minute_aggregates": "\(result.minuteAggregates)",
                    "pruned.batches": "\(result.ledgerBatches)",
                ])
            }
        } catch {
            logger.error("retention not applied; next pass retries", metadata: ["error": "\(error)"])
        }
    }
}
