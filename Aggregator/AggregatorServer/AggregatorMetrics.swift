public import Prometheus

/// The aggregator's Prometheus series (`GET /metrics`); names are in docs/aggregator.md.
public final class AggregatorMetrics: Sendable {
    /// The registry `/metrics` renders.
    public let registry: PrometheusCollectorRegistry
    private let batches: Counter
    private let duplicates: Counter
    private let samples: Counter
    private let bytesReceived: Counter
    private let bytesPerValue: ValueHistogram
    private let latency: DurationHistogram

    public init(registry: PrometheusCollectorRegistry = .init()) {
        self.registry = registry
        batches = registry.makeCounter(name: "v2g_ingest_batches_total", help: "Telemetry batches stored (duplicates excluded).")
        duplicates = registry.makeCounter(name: "v2g_ingest_duplicates_total", help: "Batches acknowledged again without storing.")
        samples = registry.makeCounter(name: "v2g_ingest_samples_total", help: "Non-empty sample values stored.")
        bytesReceived = registry.makeCounter(name: "v2g_ingest_bytes_received_total", help: "Request body bytes of telemetry posts.")
        bytesPerValue = registry.makeValueHistogram(
            name: "v2g_ingest_bytes_per_value", buckets: [0.25, 0.5, 0.75, 1, 1.5, 2, 4, 8, 16],
            help: "Frame bytes per non-empty value of each stored batch (design brief §5)."
        )
        latency = registry.makeDurationHistogram(
            name: "v2g_ingest_latency_seconds",
            buckets: [.milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(50), .milliseconds(100), .milliseconds(500), .seconds(1), .seconds(5)],
            help: "Time from a telemetry request's arrival to its reply."
        )
        for refusal in ClientTrust.Refusal.allCases { _ = rejectCounter(refusal.rawValue) }
    }

    /// Counts one posted body of `bytes` (accepted or not).
    public func received(bytes: Int) { bytesReceived.increment(by: Int64(bytes)) }

    /// Counts a reply from the ingest.
    public func record(_ reply: IngestReply, frameBytes: Int, latency duration: Duration) {
        latency.record(duration)
        if let reason = reply.reason {
            rejectCounter(reason).increment()
        } else if reply.duplicate {
            duplicates.increment()
        } else {
            batches.increment()
            samples.increment(by: Int64(reply.sampleCount))
            if reply.sampleCount > 0 { bytesPerValue.record(Double(frameBytes) / Double(reply.sampleCount)) }
        }
    }

    /// Counts a refusal made before the ingest (TLS, size, path).
    public func reject(_ reason: String) { rejectCounter(reason).increment() }

    /// The Prometheus text exposition.
    public func render() -> [UInt8] { registry.emitToBuffer() }

    private func rejectCounter(_ reason: String) -> Counter {
        registry.makeCounter(name: "v2g_ingest_rejects_total", labels: [("reason", reason)], help: "Refused uploads and handshakes by reason.")
    }
}
