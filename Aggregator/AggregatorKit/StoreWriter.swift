import EdgeSQLite
import Telemetry
import Synchronization

/// The store's one writer: a bounded queue of batches, drained on the writer connection's own thread.
///
/// A caller's batch joins the queue, or is refused at once with `storage.busy` when `capacity` batches already
/// wait (the HTTP layer answers 503 with Retry-After). The thread takes up to `batchesPerTransaction` waiting
/// batches, stores them in one transaction, and only after COMMIT succeeds resumes each caller with its receipt:
/// no batch is acknowledged that was not committed. While one transaction commits, the next batches gather, so a
/// burst costs fewer commits rather than a longer queue. Memory is bounded by `capacity` decoded batches plus the
/// one transaction in progress.
final class StoreWriter: Sendable {
    typealias Reply = CheckedContinuation<Result<IngestReceipt, TelemetryStoreError>, Never>

    private struct Waiting {
        var pending: PendingBatch
        var reply: Reply
    }

    private struct Queue {
        var waiting: [Waiting] = []
        /// A drain job is queued or running on the writer's thread.
        var draining = false
        var counters = StoreCounters()
    }

    let database: SerializedDatabase<TelemetryConnection, TelemetryStoreError>
    let capacity: Int
    let batchesPerTransaction: Int
    private let queue = Mutex(Queue())

    init(database: SerializedDatabase<TelemetryConnection, TelemetryStoreError>, capacity: Int, batchesPerTransaction: Int) {
        self.database = database
        self.capacity = capacity
        self.batchesPerTransaction = batchesPerTransaction
    }

    var counters: StoreCounters { queue.withLock { $0.counters } }
    var queuedBatches: Int { queue.withLock { $0.waiting.count } }

    /// Queues `pending` and waits for its commit; throws `storage.busy` without waiting when the queue is full.
    func store(_ pending: PendingBatch) async throws(TelemetryStoreError) -> IngestReceipt {
        let result = await withCheckedContinuation { (reply: Reply) in
            let start: Bool? = queue.withLock { queue in
                guard queue.waiting.count < capacity else { return nil }
                queue.waiting.append(Waiting(pending: pending, reply: reply))
                defer { queue.draining = true }
                return !queue.draining
            }
            switch start {
            case nil:
                reply.resume(returning: .failure(.busy(
                    "the write queue holds \(capacity) batches; batch \(pending.batch.sequence) of \(pending.batch.agentID) was not stored")))
            case true?:
                database.enqueue { self.drain() }
            case false?:
                break
            }
        }
        return try result.get()
    }

    /// Runs on the writer's thread until the queue is empty.
    private func drain() {
        while true {
            let group: [Waiting] = queue.withLock { queue in
                let taken = Array(queue.waiting.prefix(batchesPerTransaction))
                queue.waiting.removeFirst(taken.count)
                if taken.isEmpty { queue.draining = false }
                return taken
            }
            guard !group.isEmpty else { return }
            let results: [Result<IngestReceipt, TelemetryStoreError>]
            do throws(TelemetryStoreError) {
                results = try database.sync("store \(group.count) batches") { try $0.ingest(group.map(\.pending)) }
            } catch {
                // Nothing of the transaction was kept: every batch in it is refused with the same cause.
                results = Array(repeating: .failure(error), count: group.count)
            }
            queue.withLock { queue in
                for (waiting, result) in zip(group, results) {
                    if case .success(let receipt) = result {
                        queue.counters.record(receipt.result, agent: waiting.pending.batch.agentID, frameBytes: waiting.pending.frameBytes)
                    }
                }
            }
            for (waiting, result) in zip(group, results) { waiting.reply.resume(returning: result) }
        }
    }

    /// Closes the writer connection after the work already queued (its batches still get their answers).
    func close() {
        database.close()
    }
}
