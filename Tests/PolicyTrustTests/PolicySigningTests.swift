import EdgeCrypto
import GridCore
import PolicyTrust
import StrictJSON
import Testing

@Suite struct PolicySigningTests {
    typealias F = TrustFixture

    static func custom() -> ControlPolicy {
        var policy = ControlPolicy()
        policy.transformer.nominalHz = 50
        policy.trip = TripPolicy(category: .iii)
        policy.frequencyDroop = FrequencyDroop(nominalHz: 50, dbOFHz: 0.05)
        policy.voltVar = .categoryA
        policy.thermal.hotSpotLimitC = 95.5
        policy.ev.minimumSoCPercent = 30
        policy.telemetry = TelemetryPolicy(queueMaxRows: 7200)
        return policy
    }

    @Test func signedBundlesVerifyWithThePolicyIntact() throws {
        let root = try F.root(policy: [11, 12], policyThreshold: 2)
        let bytes = try PolicyBundle.sign(
            policy: Self.custom(), version: 3, expires: F.inAYear, targets: [.group("feeder-12"), .agent("tx-1")],
            keys: [F.key(12), F.key(11)], root: root, now: F.now)
        let bundle = try PolicyBundle.verify(bytes, root: root, agent: F.agent, installedVersion: 2, now: F.now)
        var expected = Self.custom()
        expected.version = 3
        #expect(bundle.policy == expected)
        #expect(bundle.expires == F.inAYear)
        #expect(Set(bundle.signerKeyIDs) == [F.key(11).publicKey.keyID, F.key(12).publicKey.keyID])
    }

    @Test func everyPolicyFieldSurvivesEncoding() throws {
        for policy in [ControlPolicy(), Self.custom()] {
            #expect(try PolicyDocument.decode(PolicyDocument.encode(policy)) == policy)
        }
    }

    @Test func signingRefusesAnInvalidPolicy() throws {
        var policy = ControlPolicy()
        policy.voltVar.v4PU = 1.3
        let refusal = #expect(throws: BundleRefusal.self) {
            try PolicyBundle.sign(policy: policy, version: 1, expires: F.inAYear, targets: [.everyAgent], keys: [F.key(11)], root: F.root(), now: F.now)
        }
        #expect(refusal?.code == .outOfRange)
        #expect(refusal?.reason.contains("volt_var.v4_pu = 1.3") == true, "\(String(describing: refusal))")
    }

    @Test(arguments: [
        ([UInt8(1)], 1, "UNKNOWN_KEY"),
        ([UInt8(11)], 2, "THRESHOLD_NOT_MET"),
        ([UInt8(11), 11], 2, "DUPLICATE_KEY"),
    ])
    func signingRefusesKeysTheAgentsWouldRefuse(keys: [UInt8], threshold: Int, code: String) throws {
        let root = try F.root(policy: [11, 12], policyThreshold: threshold)
        let refusal = #expect(throws: BundleRefusal.self) {
            try PolicyBundle.sign(policy: ControlPolicy(), version: 1, expires: F.inAYear, targets: [.everyAgent], keys: keys.map(F.key), root: root, now: F.now)
        }
        #expect(refusal?.code.rawValue == code)
    }

    @Test func signingRefusesAnExpiryInThePast() throws {
        let refusal = #expect(throws: BundleRefusal.self) {
            try PolicyBundle.sign(policy: ControlPolicy(), version: 1, expires: F.now, targets: [.everyAgent], keys: [F.key(11)], root: F.root(), now: F.now)
        }
        #expect(refusal?.code == .expired)
    }

    @Test func theBundlePayloadCarriesEveryPolicyKey() throws {
        let bytes = try PolicyBundle.sign(
            policy: ControlPolicy(), version: 1, expires: F.inAYear, targets: [.everyAgent], keys: [F.key(11)], root: F.root(), now: F.now)
        let payload = try StrictJSON.parse(DSSEEnvelope(parsing: bytes).payload).object("")
        let policy = try payload.require("policy").object("policy")
        #expect(policy.optional("trip") != nil && policy.optional("frequency_droop") != nil && policy.optional("write") != nil)
        #expect(try payload.require("expires").string("expires") == F.inAYear.rfc3339)
    }

    @Test func targetsParseAndMatch() {
        #expect(PolicyTarget(selector: "*") == .everyAgent)
        #expect(PolicyTarget(selector: "group:feeder-12") == .group("feeder-12"))
        #expect(PolicyTarget(selector: "tx-0412") == .agent("tx-0412"))
        for bad in ["", "group:", "tx 1", "group:a/b", String(repeating: "a", count: 65), "**"] {
            #expect(PolicyTarget(selector: bad) == nil, "\(bad)")
        }
        #expect(PolicyTarget.group("feeder-12").matches(F.agent) && !PolicyTarget.group("feeder-1").matches(F.agent))
    }
}
