/// The few figures of a frame the dashboard charts over time. Every frame carries its point; a new stream opens with
/// the points the feed still holds, so the charts start with the last minutes instead of empty.
public struct DashboardPoint: Sendable, Hashable, Codable {
    public var timeMs: Int64
    public var transformers: [Sample]
    /// The first goal's target, plan and achievement, in kW (the chart draws one goal: the one in force).
    public var goal: GoalSample?

    public struct Sample: Sendable, Hashable, Codable {
        public var id: String
        /// P per phase A, B, C (nil where not reported).
        public var phaseKW: [Double?]
        public var hotSpotC: Double?
        public var hotSpotLimitC: Double?
        public var vufPercent: Double?
        public var voltageMinPerUnit: Double?
        public var voltageMaxPerUnit: Double?
        public var evKW: Double?
    }

    public struct GoalSample: Sendable, Hashable, Codable {
        public var id: String
        public var targetKW: Double?
        public var plannedKW: Double?
        public var achievedKW: Double?
    }

    public init(_ frame: DashboardFrame) {
        timeMs = frame.timeMs
        transformers = frame.transformers.map { transformer in
            let perUnit = transformer.phases.compactMap(\.voltagePerUnit)
            return Sample(
                id: transformer.id, phaseKW: transformer.phases.map(\.activePowerKW), hotSpotC: transformer.thermal?.hotSpotC,
                hotSpotLimitC: transformer.thermal?.hotSpotLimitC, vufPercent: transformer.vufPercent,
                voltageMinPerUnit: perUnit.min(), voltageMaxPerUnit: perUnit.max(), evKW: transformer.evKW)
        }
        goal = frame.plan?.goals.first.map {
            GoalSample(id: $0.id, targetKW: $0.targetKW, plannedKW: $0.plannedKW, achievedKW: $0.achievedKW)
        }
    }
}
