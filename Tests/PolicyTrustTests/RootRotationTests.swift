import EdgeCrypto
import GridCore
import PolicyTrust
import Testing

/// Root rotation: version N+1 needs a threshold of root N's root keys and a threshold of its own.
@Suite struct RootRotationTests {
    typealias F = TrustFixture

    /// One root version of a rotation sequence: its root keys, threshold and who signs it.
    struct Step: Sendable, CustomStringConvertible {
        var keys: [UInt8]
        var threshold: Int
        var sigs: [UInt8]
        var description: String { "keys \(keys) threshold \(threshold) signed by \(sigs)" }
    }

    /// The root rotation cases of tuf-conformance's test_updater_key_rotations.py (test_root_rotation), with
    /// its key numbers: the last version is accepted or not; on failure the one before it stays trusted.
    static let tufCases: [(name: String, steps: [Step], accepted: Bool)] = [
        ("1-of-1-key-rotation", [.init(keys: [1], threshold: 1, sigs: [1]), .init(keys: [2], threshold: 1, sigs: [2, 1]), .init(keys: [2], threshold: 1, sigs: [2])], true),
        ("1-of-1-key-rotation-unused-signatures", [.init(keys: [1], threshold: 1, sigs: [3, 1, 4]), .init(keys: [2], threshold: 1, sigs: [3, 2, 1, 4]), .init(keys: [2], threshold: 1, sigs: [3, 2, 4])], true),
        ("3-of-5-sign-with-different-keycombos", [.init(keys: [10, 1, 2, 3, 4], threshold: 3, sigs: [10, 2, 4]), .init(keys: [10, 1, 2, 3, 4], threshold: 3, sigs: [10, 4, 1]), .init(keys: [10, 1, 2, 3, 4], threshold: 3, sigs: [10, 1, 3]), .init(keys: [10, 1, 2, 3, 4], threshold: 3, sigs: [10, 1, 3])], true),
        ("3-of-5-one-key-rotated", [.init(keys: [10, 1, 2, 3, 4], threshold: 3, sigs: [10, 2, 4]), .init(keys: [10, 1, 3, 4, 5], threshold: 3, sigs: [10, 4, 1])], true),
        ("3-of-5-one-key-rotated-with-intermediate-step", [.init(keys: [10, 1, 2, 3, 4], threshold: 3, sigs: [10, 2, 4]), .init(keys: [10, 1, 3, 4, 5], threshold: 3, sigs: [10, 2, 4, 5]), .init(keys: [10, 1, 3, 4, 5], threshold: 3, sigs: [10, 4, 5])], true),
        ("3-of-5-all-keys-rotated-with-intermediate-step", [.init(keys: [10, 1, 2, 3, 4], threshold: 3, sigs: [10, 2, 4]), .init(keys: [5, 6, 7, 8, 9], threshold: 3, sigs: [10, 2, 4, 5, 6, 7]), .init(keys: [5, 6, 7, 8, 9], threshold: 3, sigs: [5, 6, 7])], true),
        ("1-of-3-threshold-increase-to-2-of-3", [.init(keys: [1, 2, 3], threshold: 1, sigs: [1]), .init(keys: [1, 2, 3], threshold: 2, sigs: [1, 2])], true),
        ("2-of-3-threshold-decrease-to-1-of-3", [.init(keys: [1, 2, 3], threshold: 2, sigs: [1, 2]), .init(keys: [1, 2, 3], threshold: 1, sigs: [1, 2]), .init(keys: [1, 2, 3], threshold: 1, sigs: [1])], true),
        ("1-of-2-threshold-increase-to-2-of-2", [.init(keys: [1], threshold: 1, sigs: [1]), .init(keys: [1, 2], threshold: 2, sigs: [1, 2])], true),
        ("1-of-1-key-rotation-fail-not-signed-with-old-key", [.init(keys: [1], threshold: 1, sigs: [1]), .init(keys: [2], threshold: 1, sigs: [2, 3, 4])], false),
        ("1-of-1-key-rotation-fail-not-signed-with-new-key", [.init(keys: [1], threshold: 1, sigs: [1]), .init(keys: [2], threshold: 1, sigs: [1, 3, 4])], false),
        ("3-of-5-one-key-rotate-fails-not-signed-with-3-new-keys", [.init(keys: [10, 1, 2, 3, 4], threshold: 3, sigs: [10, 2, 4]), .init(keys: [10, 1, 3, 4, 5], threshold: 3, sigs: [10, 2, 4])], false),
        ("3-of-5-one-key-rotate-fails-not-signed-with-3-old-keys", [.init(keys: [10, 1, 2, 3, 4], threshold: 3, sigs: [10, 2, 4]), .init(keys: [10, 1, 3, 4, 5], threshold: 3, sigs: [10, 4, 5])], false),
        ("1-of-3-threshold-bump-to-2-of-3-fails-new-threshold-not-reached", [.init(keys: [1, 2, 3], threshold: 1, sigs: [1]), .init(keys: [1, 2, 3], threshold: 2, sigs: [2])], false),
        ("2-of-3-threshold-decr-to-1-of-3-fails-old-threshold-not-eached", [.init(keys: [1, 2, 3], threshold: 2, sigs: [1, 2]), .init(keys: [1, 2, 3], threshold: 1, sigs: [1])], false),
    ]

    /// Key 0 of the TUF cases is numbered 10 here (seed 0 is kept out of the fixtures).
    static func chain(_ steps: [Step]) throws -> [[UInt8]] {
        try steps.enumerated().map { index, step in
            try F.signed(F.document(version: index + 1, root: step.keys, rootThreshold: step.threshold), by: step.sigs)
        }
    }

    @Test(arguments: tufCases.map(\.name))
    func tufRootRotation(name: String) throws {
        let entry = try #require(Self.tufCases.first { $0.name == name })
        let chain = try Self.chain(entry.steps)
        var trusted = try TrustRoot(trusting: chain[0])
        var refusal: BundleRefusal?
        for bytes in chain.dropFirst() {
            do {
                trusted = try trusted.rotated(to: bytes)
            } catch {
                refusal = error
                break
            }
        }
        if entry.accepted {
            #expect(refusal == nil, "\(name): \(String(describing: refusal))")
            #expect(trusted.version == entry.steps.count)
        } else {
            #expect(refusal?.code == .thresholdNotMet || refusal?.code == .unknownKey, "\(name): \(String(describing: refusal))")
            #expect(trusted.version == entry.steps.count - 1, "the previous root stays trusted")
        }
    }

    @Test func signedOnlyByTheOldThresholdIsRefusedNamingTheNewRoot() throws {
        let v1 = try TrustRoot(trusting: F.signed(F.document(root: [1]), by: [1]))
        let v2 = try F.signed(F.document(version: 2, root: [2, 3], rootThreshold: 2), by: [1, 2])
        #expect(throws: BundleRefusal(.thresholdNotMet, "1 valid signature by new root version 2's root role, threshold 2")) {
            try v1.rotated(to: v2)
        }
    }

    @Test func signedOnlyByTheNewThresholdIsRefusedNamingTheTrustedRoot() throws {
        let v1 = try TrustRoot(trusting: F.signed(F.document(root: [1, 4], rootThreshold: 2), by: [1, 4]))
        let v2 = try F.signed(F.document(version: 2, root: [2]), by: [2, 1])
        #expect(throws: BundleRefusal(.thresholdNotMet, "1 valid signature by trusted root version 1's root role, threshold 2")) {
            try v1.rotated(to: v2)
        }
    }

    @Test func skippedVersionIsRefused() throws {
        let v1 = try TrustRoot(trusting: F.signed(F.document(), by: [1]))
        let v3 = try F.signed(F.document(version: 3), by: [1])
        let refusal = #expect(throws: BundleRefusal.self) { try v1.rotated(to: v3) }
        #expect(refusal?.code == .rollback)
        #expect(refusal?.reason.contains("skips") == true)
    }

    @Test func olderOrEqualVersionIsRollback() throws {
        let v1Bytes = try F.signed(F.document(), by: [1])
        let v2 = try TrustRoot(trusting: v1Bytes).rotated(to: F.signed(F.document(version: 2), by: [1]))
        for bytes in [v1Bytes, try F.signed(F.document(version: 2, policy: [12]), by: [1])] {
            let refusal = #expect(throws: BundleRefusal.self) { try v2.rotated(to: bytes) }
            #expect(refusal?.code == .rollback)
        }
    }

    @Test func anExpiredIntermediateRootIsPassedThroughButTheLastOneIsChecked() throws {
        // As TUF 5.3.3/5.3.10: an agent offline for long walks old roots; only the final one must be current.
        let v1 = try TrustRoot(trusting: F.signed(F.document(expires: F.now), by: [1]))
        let v2 = try v1.rotated(to: F.signed(F.document(version: 2, expires: F.now), by: [1]))
        let v3 = try v2.rotated(to: F.signed(F.document(version: 3, policy: [12]), by: [1]))
        #expect(v3.version == 3 && !v3.isExpired(at: F.now))
        #expect(v2.isExpired(at: F.now))
        #expect(throws: BundleRefusal.self) { try v2.refuseIfExpired(now: F.now) }
        #expect(F.refusal(try F.bundle(signers: [12]), root: v3) == nil)
        #expect(F.refusal(try F.bundle(signers: [11]), root: v3)?.code == .unknownKey, "the rotated-out policy key is no longer trusted")
    }

    @Test func rotatingThePolicyKeysIsARootRotation() throws {
        let v1 = try F.root()
        let v2 = try v1.rotated(to: F.signed(F.document(version: 2, policy: [12]), by: [1]))
        #expect(F.refusal(try F.bundle(signers: [11]), root: v1) == nil)
        #expect(F.refusal(try F.bundle(signers: [11]), root: v2)?.code == .unknownKey)
        // Policy keys cannot sign a root.
        #expect(throws: BundleRefusal.self) { try v1.rotated(to: F.signed(F.document(version: 2, policy: [13]), by: [11])) }
    }

    @Test func thePinnedRootMustBeSignedByItsOwnThreshold() throws {
        let document = F.document(root: [1, 2], rootThreshold: 2)
        #expect(throws: BundleRefusal(.thresholdNotMet, "1 valid signature by root version 1's root role, threshold 2")) {
            try TrustRoot(trusting: F.signed(document, by: [1]))
        }
        #expect(throws: BundleRefusal.self) { try TrustRoot(trusting: F.signed(document, by: [])) }
        #expect(try TrustRoot(trusting: F.signed(document, by: [2, 1])).version == 1)
    }

    @Test func aRootWithAChangedPayloadIsBadSignature() throws {
        let bytes = try F.signed(F.document(), by: [1])
        let envelope = try DSSEEnvelope(parsing: bytes)
        let changed = DSSEEnvelope(
            payloadType: envelope.payloadType, payload: F.document(policy: [99]).payload(), signatures: envelope.signatures)
        let refusal = #expect(throws: BundleRefusal.self) { try TrustRoot(trusting: changed.serialized()) }
        #expect(refusal?.code == .badSignature)
    }

    @Test func aBundleIsNotARoot() throws {
        let refusal = #expect(throws: BundleRefusal.self) { try TrustRoot(trusting: F.bundle(signers: [1])) }
        #expect(refusal?.code == .wrongPayloadType)
    }
}
