public import AggregatorKit
public import Prometheus
import Synchronization

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
    private let closedByReason: [ConnectionClose: Counter]
    /// The planning service's series (`v2g_planner_*`).
    public let planner: PlannerMetrics
    /// Run before each render: gauges that are read off live state at scrape time.
    private let beforeRender = Mutex<[@Sendable () -> Void]>([])

    public init(registry: PrometheusCollectorRegistry = .init()) {
        self.registry = registry
        planner = PlannerMetrics(registry: registry)
        batches = registry.makeCounter(descriptor: Self.name("batches", "total", "Telemetry batches stored (duplicates excluded)."))
        duplicates = registry.makeCounter(descriptor: Self.name("duplicates", "total", "Batches acknowledged again without storing."))
        samples = registry.makeCounter(descriptor: Self.name("samples", "total", "Non-empty sample values stored."))
        bytesReceived = registry.makeCounter(descriptor: Self.name("bytes_received", "total", "Request body bytes of telemetry posts."))
        bytesPerValue = registry.makeValueHistogram(
            descriptor: Self.name("bytes", "per_value", "Frame bytes per non-empty value of each stored batch ."),
            buckets: [0.25, 0.5, 0.75, 1, 1.5, 2, 4, 8, 16]
        )
        latency = registry.makeDurationHistogram(
            descriptor: Self.name("latency", "seconds", "Time from a telemetry request's arrival to its reply."),
            buckets: [.milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(50), .milliseconds(100), .milliseconds(500), .seconds(1), .seconds(5)]
        )
        idleClosed = registry.makeCounter(descriptor: MetricNameDescriptor(
            namespace: "v2g", subsystem: "connections", metricName: "closed_idle", unitName: "total",
            helpText: "Connections closed after limits.request_timeout_s without a byte read (slow or silent clients, unused keep-alive)."))
        var closedByReason: [ConnectionClose: Counter] = [:]
        for reason in ConnectionClose.allCases {
            closedByReason[reason] = registry.makeCounter(
                descriptor: MetricNameDescriptor(
                    namespace: "v2g", subsystem: "connections", metricName: "closed", unitName: "total",
                    helpText: "Connections the server closed on a limit, by reason (idle, handshake_timeout, request_deadline, handshake_evicted)."),
                labels: [("reason", reason.rawValue)])
        }
        self.closedByReason = closedByReason
        for refusal in ClientTrust.Refusal.allCases { _ = rejectCounter(refusal.rawValue) }
    }

    /// Counts one posted body of `bytes` (accepted or not).
    public func received(bytes: Int) { bytesReceived.increment(by: Int64(bytes)) }

    /// Counts a decision of the ingest.
    public func record(_ decision: IngestDecision, frameBytes: Int, latency duration: Duration) {
        latency.record(duration)
        guard let ack = decision.ack else {
            rejectCounter(decision.label).increment()
            return
        }
        if ack.duplicate {
            duplicates.increment()
        } else {
            batches.increment()
            samples.increment(by: Int64(decision.samples))
            if decision.samples > 0 { bytesPerValue.record(Double(frameBytes) / Double(decision.samples)) }
        }
    }

    /// Counts a connection the server closed on a limit (idle ones in `closed_idle_total` too, as before).
    public func closed(_ reason: ConnectionClose) {
        if reason == .idle { idleClosed.increment() }
        closedByReason[reason]?.increment()
    }

    /// Counts a refusal made before the ingest (TLS, size, path).
    public func reject(_ reason: String) { rejectCounter(reason).increment() }

    /// Counts an answer to an agent's bundle request: 200, 304 or 404.
    public func bundleAnswer(status: Int) {
        registry.makeCounter(
            descriptor: MetricNameDescriptor(
                namespace: "v2g", subsystem: "policy", metricName: "bundle_answers", unitName: "total",
                helpText: "Answers to agents' bundle requests by HTTP status (200 bundle, 304 not modified, 404 none)."),
            labels: [("status", String(status))]
        ).increment()
    }

    /// Counts a policy report taken (`applied`, `rejected`, `reverted`) or a policy request refused, by label.
    public func policy(_ outcome: String) {
        registry.makeCounter(
            descriptor: MetricNameDescriptor(
                namespace: "v2g", subsystem: "policy", metricName: "outcomes", unitName: "total",
                helpText: "Policy reports taken by result, and policy requests refused by label."),
            labels: [("outcome", outcome)]
        ).increment()
    }

    /// The Prometheus text exposition.
    public func render() -> [UInt8] {
        for refresh in beforeRender.withLock({ $0 }) { refresh() }
        return registry.emitToBuffer()
    }

    /// Runs `refresh` before every render (a gauge set from live state at scrape time).
    public func refreshBeforeRender(_ refresh: @escaping @Sendable () -> Void) {
        beforeRender.withLock { $0.append(refresh) }
    }

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

/// Why the server closed a connection.
public enum ConnectionClose: String, Sendable, CaseIterable {
    /// Nothing read for `limits.request_timeout_s` (handshake included).
    case idle
    /// The TLS handshake took longer than `limits.handshake_timeout_s`.
    case handshakeTimeout = "handshake_timeout"
    /// A request did not arrive whole within `limits.request_timeout_s` of its first byte.
    case requestDeadline = "request_deadline"
    /// Still in its handshake when newer connections needed the room (`limits.max_connections`).
    case handshakeEvicted = "handshake_evicted"
}
