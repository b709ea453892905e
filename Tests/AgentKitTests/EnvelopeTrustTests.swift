@testable import AgentKit
import EdgeCrypto
import Foundation
import GridCore
import PolicyTrust
import Testing

/// Envelopes are checked against the agent's one root of trust, the policy path's `TrustAnchor`: the pinned
/// `trust.root_file` or the root it rotated to, the same as the inbox the daemon assembles.
@Suite("Envelope trust: the policy path's root, rotations included")
struct EnvelopeTrustTests {
    typealias E = EnvelopeFixtures

    /// Root `version` (root key 1, policy key 11) whose envelope role is the key numbered `envelopeKey`.
    static func root(version: Int, envelopeKey: UInt8) throws -> [UInt8] {
        let document = RootDocument(
            version: version, expires: E.now + 365 * 86_400, keys: [1, 11, envelopeKey].map { E.key($0).publicKey },
            roles: [
                .root: RoleKeys(keyIDs: [E.key(1).publicKey.keyID], threshold: 1),
                .policy: RoleKeys(keyIDs: [E.key(11).publicKey.keyID], threshold: 1),
                .envelope: RoleKeys(keyIDs: [E.key(envelopeKey).publicKey.keyID], threshold: 1),
            ])
        return try document.signed(by: [E.key(1)])
    }

    static func anchor(_ directory: TemporaryDirectory) -> TrustAnchor {
        let cache = GuardedCache(path: directory.file("cache.sqlite"), logger: PolicyFixture.logger)
        let watch = PolicyWatch(cache: cache, trustConfigured: true)
        return TrustAnchor(config: TrustConfig(rootFile: directory.file("root.json")), cache: cache, watch: watch, logger: PolicyFixture.logger)
    }

    static func inbox(_ anchor: TrustAnchor) -> EnvelopeInbox {
        EnvelopeInbox(agentID: E.agentID, root: { anchor.root }, missingRootReason: "no usable root", logger: PolicyFixture.logger)
    }

    /// Delivers an envelope `sequence` signed by `signer` and runs the inbox's part of one cycle.
    static func offer(_ inbox: EnvelopeInbox, sequence: Int, signer: UInt8) throws -> (sequence: Int?, codes: [String], messages: [String]) {
        let bytes = try E.signed(E.document(sequence: sequence, validityS: 120, phaseKW: PerPhase(repeating: 0...1)), signers: [signer])
        inbox.deliver(.init(bytes: bytes, receivedAt: E.now, source: "test"))
        let (envelope, events) = inbox.envelopeForCycle(chargers: [], now: E.now)
        return (envelope?.sequence, events.map(\.code), events.map(\.message))
    }

    @Test("a rotation that changes the envelope key applies to the next envelope, and survives a restart")
    func rotation() throws {
        let directory = try TemporaryDirectory()
        try Data(try Self.root(version: 1, envelopeKey: 21)).write(to: URL(fileURLWithPath: directory.file("root.json")))
        do {
            let anchor = Self.anchor(directory)
            let inbox = Self.inbox(anchor)
            let early = try Self.offer(inbox, sequence: 1, signer: 22)
            #expect(early.sequence == nil && early.codes == ["ENVELOPE_REFUSED"])
            #expect(early.messages.first?.contains("UNKNOWN_KEY") == true, "\(early.messages)")
            #expect(try Self.offer(inbox, sequence: 2, signer: 21).sequence == 2)

            // The policy path takes root 2, whose envelope key is 22: key 21 no longer signs envelopes.
            try anchor.rotate(to: try Self.root(version: 2, envelopeKey: 22))
            #expect(try Self.offer(inbox, sequence: 3, signer: 22).sequence == 3)
            let stale = try Self.offer(inbox, sequence: 4, signer: 21)
            #expect(stale.codes == ["ENVELOPE_REFUSED"] && stale.sequence == 3, "the envelope in force stays: \(stale)")
        }
        // Restarted (the pinned file still root 1): the cache keeps root 2, so key 22 is trusted and 21 is not.
        let inbox = Self.inbox(Self.anchor(directory))
        #expect(try Self.offer(inbox, sequence: 1, signer: 21).sequence == nil)
        #expect(try Self.offer(inbox, sequence: 1, signer: 22).sequence == 1)
    }

    @Test("an unusable root file: every envelope is refused with the reason, nothing is applied")
    func unusableRoot() throws {
        let directory = try TemporaryDirectory()
        try Data("{ not a root".utf8).write(to: URL(fileURLWithPath: directory.file("root.json")))
        let inbox = Self.inbox(Self.anchor(directory))
        let refused = try Self.offer(inbox, sequence: 1, signer: 21)
        #expect(refused.sequence == nil && refused.codes == ["ENVELOPE_REFUSED"])
        #expect(refused.messages.first?.contains("no usable root") == true, "\(refused.messages)")
    }
}
