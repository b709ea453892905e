public import GridCore
public import MeshPlanner
public import PolicyTrust

/// One planning period's work without I/O (docs/neighborhood.md, "The planning service"): the plan from the fleet's
/// snapshot and the goals, then one envelope document per transformer the plan gives an envelope, all under one
/// sequence. `PlannerService` reads the inputs, persists the sequence, signs (`signed`) and posts.
public struct PlanningPass: Sendable {
    public var plan: NeighborhoodPlan
    /// The pass's sequence, the same for every agent; nil when no transformer gets an envelope (nothing to record).
    public var sequence: Int?
    /// One per transformer with an envelope, by agent id; none for a left-out transformer or a pass with no goal.
    public var documents: [EnvelopeDocument]

    /// Plans at `now` and writes the envelope documents: `issued_at` = now (to the millisecond, as the payload
    /// carries it), `valid_until` = issued_at + `validityS`, sequence `nextSequence(after: lastSequence, now:)`.
    public static func run(
        snapshot: NeighborhoodSnapshot, goals: [NeighborhoodGoal], now: Timestamp, lastSequence: Int,
        settings: PlannerSettings, validityS: Double
    ) throws(PlanningError) -> PlanningPass {
        let plan = MeshPlanner.plan(snapshot, goals: goals, now: now, settings: settings)
        let withEnvelope = plan.transformers.filter { $0.envelopeKW != nil }
        guard !withEnvelope.isEmpty else { return PlanningPass(plan: plan, sequence: nil, documents: []) }
        let sequence = try nextSequence(after: lastSequence, now: now)
        let issuedAt = Timestamp(secondsSinceEpoch: (now.secondsSinceEpoch * 1000).rounded(.down) / 1000)
        let reports = Dictionary(snapshot.transformers.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let documents = withEnvelope.compactMap { allocation -> EnvelopeDocument? in
            guard let bounds = allocation.envelopeKW else { return nil }
            // The planner's bias is per unit of each charger's kVA; the document carries the fleet's kvar.
            let fleetKVA = reports[allocation.id]?.chargers.reduce(0) { $0 + $1.ratedKVA } ?? 0
            return EnvelopeDocument(
                agentID: allocation.id, sequence: sequence, issuedAt: issuedAt, validUntil: issuedAt + validityS,
                phaseKW: bounds.map(\.range), reactiveBiasKvar: allocation.reactiveBiasPU * fleetKVA)
        }
        return PlanningPass(plan: plan, sequence: sequence, documents: documents.sorted { $0.agentID < $1.agentID })
    }

    /// The next pass's sequence: above the high-water `lastSequence`, and at least the epoch second of `now`, so that
    /// a goal store replaced by an empty one still issues sequences above those the agents hold (a clock set back is
    /// covered by the high-water).
    public static func nextSequence(after lastSequence: Int, now: Timestamp) throws(PlanningError) -> Int {
        let limit = EnvelopeDocument.sequenceRange.upperBound
        let epochS = now.secondsSinceEpoch.isFinite ? Int(min(max(now.secondsSinceEpoch, 0), Double(limit)).rounded(.down)) : 0
        guard lastSequence < limit else {
            throw .sequenceExhausted("the envelope sequence high-water \(lastSequence) is at the largest JSON-safe integer \(limit)")
        }
        return max(max(lastSequence, 0) + 1, epochS)
    }

    /// The documents signed by `signer` at `now`, and those it refused, with the reason (one bad document does not
    /// hold back the others).
    public func signed(by signer: EnvelopeSigner, now: Timestamp) -> Signed {
        var signed = Signed()
        for document in documents {
            do {
                let bytes = try signer.sign(document, now: now)
                signed.posted.append(EnvelopeBoard.Posted(
                    agentID: document.agentID, sequence: document.sequence, validUntil: document.validUntil, bytes: bytes))
            } catch {
                signed.refused.append(Refusal(agentID: document.agentID, error: error))
            }
        }
        return signed
    }

    /// A pass's envelopes as signed, ready for the envelope board.
    public struct Signed: Sendable {
        public var posted: [EnvelopeBoard.Posted] = []
        public var refused: [Refusal] = []
    }

    /// An agent whose envelope the signer refused this pass (it gets none).
    public struct Refusal: Sendable {
        public var agentID: String
        public var error: PlanningError
    }
}
