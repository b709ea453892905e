@testable import AgentKit
import EdgeCrypto
import GridCore
import Logging
import PolicyTrust
import Testing

/// Keys from fixed seeds and a root whose envelope role is key 21 (policy key 11, root key 1), at a frozen time.
enum EnvelopeFixtures {
    static let now = Timestamp(rfc3339: "2026-06-01T00:00:00Z")!
    static let agentID = "tx-017"

    static func key(_ seed: UInt8) -> Ed25519PrivateKey {
        // Any 32 bytes are an Ed25519 private key: this cannot fail.
        try! Ed25519PrivateKey(rawRepresentation: [UInt8](repeating: seed, count: 32))
    }

    static func root(maxValidityS: Int = 300) throws -> TrustRoot {
        let roles: [TrustRole: RoleKeys] = [
            .root: RoleKeys(keyIDs: [key(1).publicKey.keyID], threshold: 1),
            .policy: RoleKeys(keyIDs: [key(11).publicKey.keyID], threshold: 1),
            .envelope: RoleKeys(keyIDs: [key(21).publicKey.keyID], threshold: 1),
        ]
        let document = RootDocument(
            version: 1, expires: now + 365 * 86_400, keys: [1, 11, 21].map { key($0).publicKey }, roles: roles,
            envelopeMaxValidityS: maxValidityS)
        return try TrustRoot(trusting: try document.signed(by: [key(1)]))
    }

    static func document(
        sequence: Int = 1, issuedAt: Timestamp = now, validityS: Double = 60, phaseKW: PerPhase<ClosedRange<Double>>,
        agentID: String = agentID
    ) -> EnvelopeDocument {
        EnvelopeDocument(agentID: agentID, sequence: sequence, issuedAt: issuedAt, validUntil: issuedAt + validityS, phaseKW: phaseKW)
    }

    /// Signed as any DSSE signer would (no checks of its own), by the keys numbered `signers`.
    static func signed(_ document: EnvelopeDocument, signers: [UInt8] = [21]) throws -> [UInt8] {
        try DSSEEnvelope.signed(payloadType: EnvelopeDocument.payloadType, payload: document.payload(), by: signers.map(key)).serialized()
    }

    static func inbox(root: TrustRoot?) -> EnvelopeInbox {
        EnvelopeInbox(agentID: agentID, root: { root }, logger: ControlLoopTests.logger)
    }
}

@Suite("Envelope inbox: verified envelopes into the cycle, refusals into the event log")
struct EnvelopeInboxTests {
    typealias E = EnvelopeFixtures

    static func loop(_ field: ScriptedField, inbox: EnvelopeInbox, policy: ControlPolicy = ControlPolicy()) -> (ControlLoop, GuardedCache) {
        let cache = GuardedCache(InMemoryAgentCache(), logger: ControlLoopTests.logger)
        let loop = ControlLoop(field: field, cache: cache, envelopes: inbox, logger: ControlLoopTests.logger)
        var policy = policy
        policy.write.rampKWPerS = 1_000
        loop.adopt(policy)
        return (loop, cache)
    }

    static func codes(_ outcome: CycleOutcome) -> [String] { outcome.decisions.filter { $0.step == .envelope }.map(\.code) }

    /// One cycle `second` s after the fixture's time, the meter moved a little (a reading identical for three cycles
    /// is frozen data, and protection would hold the safe state).
    @discardableResult
    static func cycle(_ loop: ControlLoop, _ field: ScriptedField, _ second: Int) -> CycleOutcome {
        field.reading.inputs.meter?.voltageV.a = 230 + 0.01 * Double(second % 50)
        return loop.runCycle(now: E.now + Double(second))
    }

    @Test("a verified envelope narrows the cycle until valid_until, then the agent runs on its own policy")
    func appliedThenLapses() throws {
        var policy = ControlPolicy()
        policy.balancing.horizonEnabled = false  // each EV charges at its request when nothing narrows it
        let inbox = E.inbox(root: try E.root())
        let field = ControlLoopTests.field()
        let (loop, cache) = Self.loop(field, inbox: inbox, policy: policy)
        let first = Self.cycle(loop, field, 0)
        #expect(Self.codes(first) == ["AUTONOMOUS"], "\(first.mode) \(first.decisions)")
        #expect(first.setpoints.contains { $0.activePowerKW > 2 }, "without an envelope b1 charges: \(first.setpoints)")
        inbox.deliver(.init(
            bytes: try E.signed(E.document(validityS: 30, phaseKW: PerPhase(repeating: 0...1))), receivedAt: E.now, source: "test"))
        for second in 1..<30 {
            let narrowed = Self.cycle(loop, field, second)
            #expect(Self.codes(narrowed) == ["ENVELOPE_APPLIED"], "\(narrowed.mode) \(narrowed.decisions)")
            #expect(narrowed.setpoints.allSatisfy { $0.activePowerKW <= 1 + 1e-9 && $0.activePowerKW >= -1e-9 }, "\(narrowed.setpoints)")
        }
        #expect(cache.recentEvents(limit: 20).contains { $0.code == "ENVELOPE_ADOPTED" })
        // The status file says which envelope the cycle ran under.
        let dir = try TemporaryDirectory()
        var config = AgentConfig(agentID: "tx-1", meter: MeterConfig(transport: .tcp(.init(host: "127.0.0.1", port: 1, unitID: 1))))
        config.statusFile = dir.file("status.json")
        config.metricsTextfile = dir.file("agent.prom")
        let operations = AgentOperations(config: config, logger: CacheFixtures.logger, notifier: SystemdNotifier(socketPath: nil))
        operations.record(try #require(loop.lastOutcome), loop: loop, cycleDurationS: 0.01, now: E.now + 29)
        operations.writeOutputs(now: E.now + 29)
        let held = try #require(try StatusFile(path: config.statusFile).read().envelope)
        #expect(held.applied && held.sequence == 1 && held.validUntil == E.now + 30, "\(held)")
        // The agent's clock reaches valid_until: the envelope lapses by itself, with nothing delivered.
        let lapsed = Self.cycle(loop, field, 30)
        #expect(Self.codes(lapsed) == ["ENVELOPE_EXPIRED"], "\(lapsed.mode) \(lapsed.decisions)")
        #expect(lapsed.setpoints.contains { $0.activePowerKW > 2 }, "\(lapsed.setpoints)")
        #expect(loop.activeAlarmCodes.contains("ENVELOPE_EXPIRED"))
        operations.record(lapsed, loop: loop, cycleDurationS: 0.01, now: E.now + 30)
        operations.writeOutputs(now: E.now + 30)
        let lapsedStatus = try #require(try StatusFile(path: config.statusFile).read().envelope)
        #expect(!lapsedStatus.applied && lapsedStatus.validUntil <= E.now + 30, "a lapsed envelope is shown as not applied: \(lapsedStatus)")
    }

    @Test("a refused envelope is logged once per reason code and changes nothing")
    func refusedOnce() throws {
        let inbox = E.inbox(root: try E.root())
        let field = ControlLoopTests.field()
        let (loop, cache) = Self.loop(field, inbox: inbox)
        let good = try E.signed(E.document(sequence: 5, validityS: 120, phaseKW: PerPhase(repeating: 0...1)))
        inbox.deliver(.init(bytes: good, receivedAt: E.now, source: "test"))
        Self.cycle(loop, field, 0)
        // Signed by the policy key, then by a stranger: the same code twice, new bytes each time.
        for (seq, signer) in [(6, UInt8(11)), (7, UInt8(99))] {
            inbox.deliver(.init(bytes: try E.signed(E.document(sequence: seq, validityS: 120, phaseKW: PerPhase(repeating: -50...50)), signers: [signer]), receivedAt: E.now, source: "test"))
            let outcome = Self.cycle(loop, field, seq)
            #expect(Self.codes(outcome) == ["ENVELOPE_APPLIED"])
            #expect(inbox.current?.sequence == 5)
            #expect(outcome.setpoints.allSatisfy { $0.activePowerKW <= 1 + 1e-9 })
        }
        // A replay of an older envelope: another code, said once too.
        let older = try E.signed(E.document(sequence: 4, validityS: 120, phaseKW: PerPhase(repeating: -50...50)))
        inbox.deliver(.init(bytes: older, receivedAt: E.now, source: "test"))
        Self.cycle(loop, field, 8)
        let refusals = cache.recentEvents(limit: 50).filter { $0.code == "ENVELOPE_REFUSED" }.map(\.message)
        #expect(refusals.count == 2, "\(refusals)")
        #expect(refusals.contains { $0.hasPrefix("UNKNOWN_KEY: ") })
        #expect(refusals.contains { $0.hasPrefix("ROLLBACK: ") })
        #expect(inbox.refusedCount == 3)
        // The same bytes as the envelope in force are no refusal: the aggregator repeats them between plans.
        inbox.deliver(.init(bytes: good, receivedAt: E.now, source: "test"))
        Self.cycle(loop, field, 9)
        #expect(inbox.refusedCount == 3)
    }

    @Test("without a root of trust every envelope is refused, with the reason")
    func noRoot() throws {
        let inbox = E.inbox(root: nil)
        let (loop, cache) = Self.loop(ControlLoopTests.field(), inbox: inbox)
        inbox.deliver(.init(bytes: try E.signed(E.document(phaseKW: PerPhase(repeating: 0...0))), receivedAt: E.now, source: "test"))
        #expect(Self.codes(loop.runCycle(now: E.now)) == ["AUTONOMOUS"])
        let event = cache.recentEvents(limit: 10).first { $0.code == "ENVELOPE_REFUSED" }
        #expect(event?.message.contains("UNKNOWN_KEY: no root of trust") == true)
    }

    @Test("an envelope that asks for discharge cannot make a charger discharge where the policy forbids it")
    func cannotForceDischarge() throws {
        var policy = ControlPolicy()
        policy.ev.dischargeEnabled = false
        let inbox = E.inbox(root: try E.root())
        let field = ControlLoopTests.field()
        let (loop, _) = Self.loop(field, inbox: inbox, policy: policy)
        inbox.deliver(.init(
            bytes: try E.signed(E.document(validityS: 300, phaseKW: PerPhase(repeating: -20 ... -5))), receivedAt: E.now, source: "test"))
        for second in 0..<10 {
            let outcome = Self.cycle(loop, field, second)
            #expect(Self.codes(outcome) == ["ENVELOPE_APPLIED"], "\(outcome.mode) \(outcome.decisions)")
            #expect(outcome.setpoints.allSatisfy { $0.activePowerKW >= 0 }, "\(outcome.setpoints)")
        }
    }

    @Test("a [0, 0] envelope stops every charger and never flips the direction of power flow")
    func zeroNeverFlips() throws {
        var policy = ControlPolicy()
        policy.balancing.neutralWeight = 50
        policy.balancing.horizonEnabled = false  // one cycle's balancing: a1 discharges against heavy phase A
        let inbox = E.inbox(root: try E.root())
        let field = ControlLoopTests.field()
        let (loop, _) = Self.loop(field, inbox: inbox, policy: policy)
        let before = Self.cycle(loop, field, 0).setpoints
        let sign = Dictionary(uniqueKeysWithValues: before.map { ($0.chargerID, $0.activePowerKW) })
        #expect(sign["a1"]! < 0 && sign["b1"]! > 0, "\(before)")
        inbox.deliver(.init(
            bytes: try E.signed(E.document(validityS: 300, phaseKW: PerPhase(repeating: 0...0))), receivedAt: E.now, source: "test"))
        for second in 1..<10 {
            let outcome = Self.cycle(loop, field, second)
            #expect(Self.codes(outcome) == ["ENVELOPE_APPLIED"])
            for setpoint in outcome.setpoints {
                // Toward zero, never across it.
                #expect(setpoint.activePowerKW * sign[setpoint.chargerID]! >= 0, "\(setpoint)")
            }
            #expect(outcome.setpoints.allSatisfy { $0.activePowerKW == 0 }, "\(outcome.setpoints)")
        }
    }
}
