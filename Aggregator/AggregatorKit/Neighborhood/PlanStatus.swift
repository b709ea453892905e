import FoundationEssentials
public import GridCore
import MeshPlanner

/// The body of `GET /v1/plan` (docs/aggregator.md): the last pass, its plan exactly as `v2g-adm dispatch plan --json`
/// writes it, planned against achieved now, and the envelopes it put up. Keys are spelled out here (the plan's
/// per-phase keys are upper case), so it is encoded by `json()`, not by the API's snake_case encoder.
public struct PlanStatus: Sendable, Encodable {
    public var pass: PlanBoard.Pass
    public var progress: PlanProgress?
    /// Agents whose envelope from this pass is still within its `valid_until`.
    public var inForce: Set<String>

    public init(pass: PlanBoard.Pass, entries: [FleetStateBoard.Entry], inForce: Set<String>, now: Timestamp) {
        self.pass = pass
        progress = pass.plan.map { PlanProgress(plan: $0, entries: entries, now: now) }
        self.inForce = inForce
    }

    public func json() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Strings, integers, booleans and the plan's finite numbers: a non-finite figure is the only way to fail.
        return (try? Array(encoder.encode(self))) ?? Array(#"{"error":"response.encoding"}"#.utf8)
    }

    private enum Keys: String, CodingKey {
        case pass, plan, progress = "planned_vs_achieved", envelopes
        case at, number, durationS = "duration_s", outcome, error, message, sequence, refused
        case agentID = "agent_id", validUntil = "valid_until", inForce = "in_force"
        case goal, kind, targetKW = "target_kw", plannedKW = "planned_kw", achievedKW = "achieved_kw"
        case plannedShortfallKW = "planned_shortfall_kw", achievedShortfallKW = "achieved_shortfall_kw"
        case reporting, planned, importCap = "import_cap", limitKW = "limit_kw"
        case plannedImportKW = "planned_import_kw", achievedImportKW = "achieved_import_kw"
        case transformers, id, reportAgeS = "report_age_s", phases
        case a = "A", b = "B", c = "C"
    }

    public func encode(to encoder: any Encoder) throws {
        var top = encoder.container(keyedBy: Keys.self)
        var header = top.nestedContainer(keyedBy: Keys.self, forKey: .pass)
        try header.encode(pass.at.rfc3339, forKey: .at)
        try header.encode(pass.number, forKey: .number)
        try header.encode(pass.durationS, forKey: .durationS)
        try header.encode(pass.failure == nil ? "planned" : "failed", forKey: .outcome)
        try header.encodeIfPresent(pass.failure?.label, forKey: .error)
        try header.encodeIfPresent(pass.failure?.message, forKey: .message)
        try header.encodeIfPresent(pass.sequence, forKey: .sequence)
        var refused = header.nestedUnkeyedContainer(forKey: .refused)
        for refusal in pass.refused {
            var entry = refused.nestedContainer(keyedBy: Keys.self)
            try entry.encode(refusal.agentID, forKey: .agentID)
            try entry.encode(refusal.error.label, forKey: .error)
            try entry.encode(refusal.error.message, forKey: .message)
        }
        try top.encodeIfPresent(pass.plan, forKey: .plan)
        var envelopes = top.nestedUnkeyedContainer(forKey: .envelopes)
        for envelope in pass.envelopes {
            var entry = envelopes.nestedContainer(keyedBy: Keys.self)
            try entry.encode(envelope.agentID, forKey: .agentID)
            try entry.encode(envelope.sequence, forKey: .sequence)
            try entry.encode(envelope.validUntil.rfc3339, forKey: .validUntil)
            try entry.encode(inForce.contains(envelope.agentID), forKey: .inForce)
        }
        guard let progress else { return }
        var figures = top.nestedContainer(keyedBy: Keys.self, forKey: .progress)
        try figures.encode(progress.at.rfc3339, forKey: .at)
        if let goal = progress.goal {
            var entry = figures.nestedContainer(keyedBy: Keys.self, forKey: .goal)
            try entry.encode(goal.goal, forKey: .goal)
            try entry.encode(goal.kind, forKey: .kind)
            try entry.encode(goal.targetKW, forKey: .targetKW)
            try Self.encode(goal.total, into: &entry)
            try entry.encode(goal.plannedShortfallKW, forKey: .plannedShortfallKW)
            try entry.encodeIfPresent(goal.achievedShortfallKW, forKey: .achievedShortfallKW)
            try entry.encode(goal.reporting, forKey: .reporting)
            try entry.encode(goal.planned, forKey: .planned)
        }
        if let cap = progress.importCap {
            var entry = figures.nestedContainer(keyedBy: Keys.self, forKey: .importCap)
            try entry.encode(cap.goal, forKey: .goal)
            try entry.encode(cap.limitKW, forKey: .limitKW)
            try entry.encodeIfPresent(cap.importKW.plannedKW, forKey: .plannedImportKW)
            try entry.encodeIfPresent(cap.importKW.achievedKW, forKey: .achievedImportKW)
        }
        var transformers = figures.nestedUnkeyedContainer(forKey: .transformers)
        for transformer in progress.transformers {
            var entry = transformers.nestedContainer(keyedBy: Keys.self)
            try entry.encode(transformer.id, forKey: .id)
            try Self.encode(transformer.total, into: &entry)
            try entry.encodeIfPresent(transformer.reportAgeS, forKey: .reportAgeS)
            var phases = entry.nestedContainer(keyedBy: Keys.self, forKey: .phases)
            for (phase, key) in [(Phase.a, Keys.a), (.b, .b), (.c, .c)] {
                var cell = phases.nestedContainer(keyedBy: Keys.self, forKey: key)
                try Self.encode(transformer.phases[phase], into: &cell)
            }
        }
    }

    private static func encode(_ figures: PlanProgress.Figures, into container: inout KeyedEncodingContainer<Keys>) throws {
        try container.encodeIfPresent(figures.plannedKW, forKey: .plannedKW)
        try container.encodeIfPresent(figures.achievedKW, forKey: .achievedKW)
    }
}
