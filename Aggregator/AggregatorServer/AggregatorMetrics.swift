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
    private let idleClosed: Counter

    public init(registry: PrometheusCollectorRegistry = .init()) {
        self.registry = registry
        batches = registry.makeCounter(descriptor: Self.name("batches", "total", "Telemetry batches stored (duplicates excluded)."))
        duplicates = registry.makeCounter(descriptor: Self.name("duplicates", "total", "Batches acknowledged again without storing."))
        samples = registry.makeCounter(descriptor: Self.name("samples", "total", "Non-empty sample values stored."))
        bytesReceived = registry.makeCounter(descriptor: Self.name("bytes_received", "total", "Request body bytes of telemetry posts."))
        bytesPerValue = registry.makeValueHistogram(
            descriptor: Self.name("bytes", "per_value", "Frame bytes per non-empty value of each stored batch (design brief §5)."),
            buckets: [0.25, 0.5, 0.75, 1, 1.5, 2, 4, 8, 16]
        )
        latency = registry.makeDurationHistogram(
            descriptor: Self.name("latency", "seconds", "Time from a telemetry request's arrival to its reply."),
            buckets: [.milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(50), .milliseconds(100), .milliseconds(500), .seconds(1), .seconds(5)]
        )
        idleClosed = registry.makeCounter(descriptor: MetricNameDescriptor(
            namespace: "v2g", subsystem: "connections", metricName: "closed_idle", unitName: "total",
            helpText: "Connections closed after limits.request_timeout_s without a byte read (slow or silent clients, unused keep-alive)."))
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

    /// Counts a connection closed for idleness.
    public func closedIdle() { idleClosed.increment() }

    /// Counts a refusal made before the ingest (TLS, size, path).
    public func reject(_ reason: String) { rejectCounter(reason).increment() }

    /// The Prometheus text exposition.
    public func render() -> [UInt8] { registry.emitToBuffer() }

    private func rejectCounter(_ reason: String) -> Counter {
        registry.makeCounter(
            descriptor: Self.name("rejects", "total", "Refused uploads and handshakes by reason."), labels: [("reason", reason)]
        )
    }

    /// `v2g_ingest_<metric>_<unit>`.
    private static func name(_ metric: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "v2g", subsystem: "ingest", metricName: metric, unitName: unit, helpText: help)
    }
}
