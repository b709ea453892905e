import EdgeCrypto
import GridCore
import PolicyTrust
import Testing

/// The policy role's keys and threshold, as tuf-conformance's test_non_root_rotations checks the other roles.
@Suite struct PolicyRoleRotationTests {
    typealias F = TrustFixture

    /// tuf-conformance's non-root rotation cases; TUF key k is key 40 + k here.
    static let cases: [(name: String, keys: [UInt8], threshold: Int, sigs: [UInt8], accepted: Bool)] = [
        ("1-of-1-key-rotation", [2], 1, [2], true),
        ("1-of-1-key-rotation-unused-signatures", [1], 1, [3, 1, 4], true),
        ("1-of-1-key-rotation-fail-not-signed-with-new-key", [2], 1, [1, 3, 4], false),
        ("3-of-5-one-key-signature-wrong-not-signed-with-3-expected-keys", [0, 1, 3, 4, 5], 3, [0, 2, 4], false),
        ("2-of-5-one-key-signature-mising-threshold-not-reached", [0, 1, 3, 4, 5], 3, [0, 4], false),
        ("3-of-5-sign-first-combo", [0, 1, 2, 3, 4], 3, [0, 2, 4], true),
        ("3-of-5-sign-second-combo", [0, 1, 2, 3, 4], 3, [0, 4, 1], true),
        ("3-of-5-sign-third-combo", [0, 1, 2, 3, 4], 3, [0, 1, 3], true),
        ("3-of-5-sign-fourth-combo", [0, 1, 2, 3, 4], 3, [1, 2, 3], true),
        ("3-of-5-sign-fifth-combo", [0, 1, 2, 3, 4], 3, [2, 3, 4], true),
    ]

    @Test(arguments: cases.map(\.name))
    func policyRoleThresholds(name: String) throws {
        let entry = try #require(Self.cases.first { $0.name == name })
        let root = try F.root(policy: entry.keys.map { 40 + $0 }, policyThreshold: entry.threshold)
        let refusal = F.refusal(try F.bundle(signers: entry.sigs.map { 40 + $0 }), root: root)
        if entry.accepted {
            #expect(refusal == nil, "\(name): \(String(describing: refusal))")
        } else {
            #expect(refusal?.code == .thresholdNotMet || refusal?.code == .unknownKey, "\(name): \(String(describing: refusal))")
        }
    }

    @Test func rotatingThePolicyKeysRecoversFromAFastForward() throws {
        // A stolen policy key (11) signs the highest version there is; agents install it.
        let v1 = try F.root()
        let forward = try F.bundle(F.payload(version: Int(Int32.max)))
        #expect(F.refusal(forward, root: v1) == nil)
        #expect(PolicyBundle.rollbackFloor(installedBundle: forward, installedVersion: Int(Int32.max), root: v1) == Int(Int32.max))
        // The operators rotate the policy keys; the stolen key's bundle no longer counts as the floor.
        let v2 = try v1.rotated(to: F.signed(F.document(version: 2, policy: [12]), by: [1]))
        let floor = PolicyBundle.rollbackFloor(installedBundle: forward, installedVersion: Int(Int32.max), root: v2)
        #expect(floor == 0)
        #expect(F.refusal(try F.bundle(F.payload(version: 8), signers: [12]), root: v2, installed: floor) == nil)
    }

    @Test func aDamagedInstalledBundleKeepsItsVersionAsTheFloor() throws {
        let root = try F.root()
        let installed = try F.bundle()
        let damaged = Array(installed.prefix(installed.count - 5))
        #expect(PolicyBundle.rollbackFloor(installedBundle: damaged, installedVersion: 7, root: root) == 7)
        #expect(PolicyBundle.rollbackFloor(installedBundle: nil, installedVersion: 7, root: root) == 7)
    }
}
