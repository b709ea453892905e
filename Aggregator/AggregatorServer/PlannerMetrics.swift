public import AggregatorKit
import GridCore
public import Prometheus
import Synchronization

/// The planning service's Prometheus series (`v2g_planner_*`, docs/aggregator.md, "Metrics"), in the aggregator's
/// registry: counters of passes and envelopes, and gauges of planned against achieved per goal, transformer and
/// phase. A series whose goal or transformer left the plan is removed, so the gauges always describe one plan.
public final class PlannerMetrics: Sendable {
    private let registry: PrometheusCollectorRegistry
    private let passes: Counter
    private let envelopesSigned: Counter
    private let envelopesRefused: Counter
    private let lastPassSeconds: Gauge
    private let sequenceGauge: Gauge
    /// The labelled gauges set by the last update (to remove those the next one does not set).
    private let live = Mutex<[String: Gauge]>([:])

    public init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
        passes = registry.makeCounter(descriptor: Self.name("passes", "total", "Planning passes run (failed ones included)."))
        envelopesSigned = registry.makeCounter(descriptor: Self.name("envelopes_signed", "total", "Envelopes signed and posted."))
        envelopesRefused = registry.makeCounter(
            descriptor: Self.name("envelopes_refused", "total", "Envelopes the signer refused to sign (the agent got none that pass)."))
        lastPassSeconds = registry.makeGauge(descriptor: Self.name("last_pass_duration", "seconds", "How long the last pass took."))
        sequenceGauge = registry.makeGauge(descriptor: Self.name("envelope_sequence", "", "The last pass's envelope sequence."))
        for reason in ["goal_store.unavailable", "sequence.not_persisted", "sequence.exhausted", "signing.failed"] {
            _ = failedCounter(reason)
        }
    }

    /// Counts a pass: its duration, the envelopes it signed and refused, and why it posted nothing when it failed.
    public func pass(durationS: Double, failure: PlanningError?, signed: Int, refused: Int, sequence: Int?) {
        passes.increment()
        lastPassSeconds.set(durationS)
        if let failure { failedCounter(failure.label).increment() }
        envelopesSigned.increment(by: Int64(signed))
        envelopesRefused.increment(by: Int64(refused))
        if let sequence { sequenceGauge.set(Int64(sequence)) }
    }

    /// Sets the planned and achieved gauges from `progress` (nil: no plan, every such series removed).
    public func update(_ progress: PlanProgress?) {
        var next: [String: Gauge] = [:]
        func set(_ metric: String, _ help: String, _ labels: [(String, String)], _ value: Double?) {
            guard let value, value.isFinite else { return }
            let gauge = registry.makeGauge(descriptor: Self.name(metric, "kw", help), labels: labels)
            gauge.set(value)
            next[metric + labels.map { "|\($0.0)=\($0.1)" }.joined()] = gauge
        }
        if let goal = progress?.goal {
            let labels = [("goal", goal.goal)]
            set("goal_target", "The power goal's EV fleet target (+ = charging).", labels, goal.targetKW)
            set("goal_planned", "The EV fleet total the last plan set for the goal.", labels, goal.total.plannedKW)
            set("goal_achieved", "The planned transformers' EV fleet total now, from their newest state reports.", labels, goal.total.achievedKW)
            set("goal_shortfall", "What the limits kept the last plan from (|target - planned|).", labels, goal.plannedShortfallKW)
        }
        if let cap = progress?.importCap {
            let labels = [("goal", cap.goal)]
            set("import_cap", "The import cap in force.", labels, cap.limitKW)
            set("import_planned", "The neighborhood's import with the last plan.", labels, cap.importKW.plannedKW)
            set("import_achieved", "The neighborhood's import now, from the newest state reports.", labels, cap.importKW.achievedKW)
        }
        for transformer in progress?.transformers ?? [] {
            let labels = [("transformer", transformer.id)]
            set("transformer_planned", "EV fleet power the last plan set per transformer (+ = charging).", labels, transformer.total.plannedKW)
            set("transformer_achieved", "EV fleet power per transformer now, from its newest state report.", labels, transformer.total.achievedKW)
            for phase in Phase.allCases {
                let labels = labels + [("phase", phase.rawValue)]
                set("phase_planned", "EV fleet power the last plan set per transformer and phase.", labels, transformer.phases[phase].plannedKW)
                set("phase_achieved", "EV fleet power per transformer and phase now.", labels, transformer.phases[phase].achievedKW)
            }
        }
        let fresh = next
        let gone = live.withLock { live in
            defer { live = fresh }
            return live.filter { fresh[$0.key] == nil }.map(\.value)
        }
        for gauge in gone { registry.unregisterGauge(gauge) }
    }

    private func failedCounter(_ reason: String) -> Counter {
        registry.makeCounter(
            descriptor: Self.name("passes_failed", "total", "Passes that posted no envelopes, by reason."), labels: [("reason", reason)])
    }

    /// `v2g_planner_<metric>_<unit>`.
    private static func name(_ metric: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "v2g", subsystem: "planner", metricName: metric, unitName: unit, helpText: help)
    }
}
