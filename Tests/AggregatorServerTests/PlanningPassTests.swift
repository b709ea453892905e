import AggregatorKit
import AggregatorTesting
import GridCore
import MeshPlanner
import PolicyTrust
import Testing

@Suite("Planning pass (pure)")
struct PlanningPassTests {
    typealias F = PlannerFixture
    let settings = PlannerSettings()

    func run(
        _ reports: [TransformerReport], goals: [NeighborhoodGoal], lastSequence: Int, at time: Timestamp = F.now
    ) throws -> PlanningPass {
        try PlanningPass.run(
            snapshot: F.snapshot(reports, at: time), goals: goals, now: time, lastSequence: lastSequence, settings: settings, validityS: 75)
    }

    @Test("one envelope per planned transformer, one sequence above the high-water, valid 75 s, each verifying for its own agent only")
    func envelopesVerify() throws {
        let highWater = Int(F.now.secondsSinceEpoch) + 5_000  // above the time floor: the high-water decides
        let pass = try run(["tx-1", "tx-2", "tx-3"].map { F.transformer($0) }, goals: [F.discharge(30)], lastSequence: highWater)
        #expect(pass.plan.pass == .discharge)
        #expect(pass.sequence == highWater + 1)
        #expect(pass.documents.map(\.agentID) == ["tx-1", "tx-2", "tx-3"])
        let signed = pass.signed(by: try F.signer(), now: F.now)
        #expect(signed.refused.isEmpty)
        #expect(signed.posted.count == 3)
        for posted in signed.posted {
            let document = try EnvelopeDocument.verify(posted.bytes, root: policyFixture.root, agentID: posted.agentID, lastSequence: highWater, now: F.now)
            #expect(document.sequence == highWater + 1)
            #expect(document.issuedAt == F.now)
            #expect(document.validUntil - document.issuedAt == 75)
            #expect(posted.validUntil == document.validUntil)
            let allocation = try #require(pass.plan.transformers.first { $0.id == posted.agentID })
            let bounds = try #require(allocation.envelopeKW)
            for phase in Phase.allCases { #expect(document.phaseKW[phase] == bounds[phase].range) }
            #expect(document.reactiveBiasKvar == 0)
            // Another agent's envelope, and a replay of this one, are refused as the agent would refuse them.
            let other = posted.agentID == "tx-1" ? "tx-2" : "tx-1"
            #expect(throws: BundleRefusal.self) { try EnvelopeDocument.verify(posted.bytes, root: policyFixture.root, agentID: other, lastSequence: nil, now: F.now) }
            #expect(throws: BundleRefusal.self) {
                try EnvelopeDocument.verify(posted.bytes, root: policyFixture.root, agentID: posted.agentID, lastSequence: highWater + 1, now: F.now)
            }
        }
        // The discharge adds up to the goal: the exact envelopes are the planned phase powers.
        let total = pass.documents.reduce(0.0) { sum, d in sum + Phase.allCases.reduce(0.0) { $0 + d.phaseKW[$1].lowerBound } }
        #expect(abs(total + 30) < 1e-6)
    }

    @Test("the sequence is above the high-water and at least the epoch second, so an emptied store still goes on above it")
    func sequenceFloor() throws {
        let epoch = Int(F.now.secondsSinceEpoch)
        #expect(try PlanningPass.nextSequence(after: 0, now: F.now) == epoch)
        #expect(try PlanningPass.nextSequence(after: epoch, now: F.now) == epoch + 1)
        #expect(try PlanningPass.nextSequence(after: epoch + 40, now: F.now + (-3_600)) == epoch + 41)  // a clock set back
        #expect(throws: PlanningError.self) { try PlanningPass.nextSequence(after: EnvelopeDocument.sequenceRange.upperBound, now: F.now) }
    }

    @Test("no goal: no envelope and no sequence used; every agent runs on its own policy")
    func noGoal() throws {
        let pass = try run([F.transformer("tx-1"), F.transformer("tx-2")], goals: [], lastSequence: 7)
        #expect(pass.plan.pass == NeighborhoodPlan.Pass.none)
        #expect(pass.documents.isEmpty)
        #expect(pass.sequence == nil)
        let ended = NeighborhoodGoal(id: "old", start: F.now + (-7_200), end: F.now + (-3_600), action: .discharge(kilowatts: 30))
        #expect(try run([F.transformer("tx-1")], goals: [ended], lastSequence: 7).documents.isEmpty)
    }

    @Test("a stale transformer is left out and gets no envelope; the others share the goal")
    func staleTransformer() throws {
        let pass = try run([F.transformer("tx-1"), F.transformer("tx-old", ageS: 60), F.transformer("tx-3")], goals: [F.discharge(20)], lastSequence: 0)
        #expect(pass.documents.map(\.agentID) == ["tx-1", "tx-3"])
        #expect(pass.plan.leftOut.map(\.id) == ["tx-old"])
        #expect(pass.plan.leftOut.first?.reason == .stale)
        #expect(abs((pass.plan.goal?.plannedKW ?? 0) + 20) < 1e-6)
    }

    @Test("a transformer that heats up sheds its share to the others on the next pass, under a higher sequence")
    func hotTransformerSheds() throws {
        let ids = ["tx-east", "tx-north", "tx-south", "tx-west"]
        let first = try run(ids.map { F.transformer($0) }, goals: [F.discharge(40)], lastSequence: 0)
        let later = F.now + 30
        let second = try run(
            ids.map { F.transformer($0, at: later, hot: $0 == "tx-east") }, goals: [F.discharge(40, at: F.now)],
            lastSequence: try #require(first.sequence), at: later)
        func planned(_ pass: PlanningPass, _ id: String) throws -> Double { try #require(pass.plan.transformers.first { $0.id == id }?.plannedKW) }
        #expect(abs(try planned(first, "tx-east") - -10) < 1e-6)  // equal shares while all are equal
        #expect(try planned(second, "tx-east") > planned(first, "tx-east") + 1)  // discharges at least 1 kW less
        for id in ids.dropFirst() { #expect(try planned(second, id) < planned(first, id)) }
        #expect(abs((second.plan.goal?.plannedKW ?? 0) + 40) < 1e-6)
        #expect(try #require(second.sequence) > #require(first.sequence))
        let east = try #require(second.documents.first { $0.agentID == "tx-east" })
        let eastPlanned = try planned(second, "tx-east")
        #expect(abs(Phase.allCases.reduce(0.0) { $0 + east.phaseKW[$1].upperBound } - eastPlanned) < 1e-6)
    }

    @Test("the signer refuses a validity beyond the root's max_validity_s, a key of another role, and an expired root")
    func signerRefusals() throws {
        #expect(throws: PlanningError.self) { try F.signer(validityS: 301) }
        #expect(throws: PlanningError.self) { try F.signer(validityS: 0) }
        #expect(throws: PlanningError.self) {
            try EnvelopeSigner(root: policyFixture.root, keys: [SignedPolicyFixture.key(11)], validityS: 60, now: F.now)
        }
        #expect(throws: PlanningError.self) { try EnvelopeSigner(root: policyFixture.root, keys: [], validityS: 60, now: F.now) }
        #expect(throws: PlanningError.self) { try F.signer(at: policyFixture.expires + 1) }
        do {
            _ = try EnvelopeSigner(root: policyFixture.root, keys: [SignedPolicyFixture.key(11)], validityS: 60, now: F.now)
        } catch {
            #expect(error.message.contains("UNKNOWN_KEY"))
        }
        #expect(try F.signer(validityS: 300).validityS == 300)
    }
}
