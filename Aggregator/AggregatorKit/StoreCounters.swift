/// Ingest counters of one agent, or of all of them.
public struct IngestCounters: Sendable, Hashable {
    /// New batches stored.
    public var batches: Int64 = 0
    /// Retries of a batch already stored (acknowledged again, nothing written).
    public var duplicates: Int64 = 0
    /// Sequences reused with other contents (refused).
    public var conflicts: Int64 = 0
    /// Raw samples stored.
    public var samples: Int64 = 0
    /// Frame bytes of the new batches stored.
    public var bytes: Int64 = 0

    public init() {}
}

/// Counters since the store was opened: in memory, for metrics (Prometheus counters restart with the process).
public struct StoreCounters: Sendable, Hashable {
    public var total = IngestCounters()
    public var perAgent: [String: IngestCounters] = [:]

    public init() {}

    package mutating func record(_ result: IngestResult, agent: String, frameBytes: Int) {
        Self.apply(result, frameBytes: frameBytes, to: &total)
        Self.apply(result, frameBytes: frameBytes, to: &perAgent[agent, default: IngestCounters()])
    }

    private static func apply(_ result: IngestResult, frameBytes: Int, to counters: inout IngestCounters) {
        switch result {
        case .stored(let samples):
            counters.batches += 1
            counters.samples += Int64(samples)
            counters.bytes += Int64(frameBytes)
        case .duplicate: counters.duplicates += 1
        case .conflict: counters.conflicts += 1
        }
    }
}
