import Benchmark
import EdgeCrypto
import GridCore
import PolicyTrust

/// Verifying a policy bundle as the agent does (target: median ≤ 1 ms in release), and its parts.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .throughput],
        warmupIterations: 20,
        maxDuration: .seconds(3),
        maxIterations: 20_000
    )

    for policyKeys in [1, 3] {
        Benchmark("verify a policy bundle (\(policyKeys) of \(policyKeys) signatures)") { benchmark in
            let fixture = try BundleFixture(policyKeys: policyKeys)
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                blackHole(try PolicyBundle.verify(
                    fixture.bundle, root: fixture.root, agent: fixture.agent, installedVersion: 6, now: fixture.now))
            }
        }
    }

    Benchmark("read and decode the policy alone (no signature)") { benchmark in
        let fixture = try BundleFixture(policyKeys: 1)
        let policy = try PolicyDocument.encode(fixture.policy)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(try PolicyDocument.decode(policy))
        }
    }
}

/// A root with `policyKeys` policy keys (threshold: all of them) and a bundle of a full, non-default policy.
struct BundleFixture {
    let now = Timestamp(rfc3339: "2026-06-01T00:00:00Z")!
    let agent = AgentIdentity(id: "tx-0412", groups: ["feeder-12"])
    let root: TrustRoot
    let policy: ControlPolicy
    let bundle: [UInt8]

    init(policyKeys: Int) throws {
        func key(_ n: Int) throws -> Ed25519PrivateKey { try Ed25519PrivateKey(rawRepresentation: [UInt8](repeating: UInt8(n), count: 32)) }
        let rootKey = try key(1)
        let signers = try (0..<policyKeys).map { try key(10 + $0) }
        let envelopeKey = try key(30)
        let document = RootDocument(
            version: 1, expires: now + 365 * 86_400, keys: [rootKey.publicKey, envelopeKey.publicKey] + signers.map(\.publicKey),
            roles: [
                .root: RoleKeys(keyIDs: [rootKey.publicKey.keyID], threshold: 1),
                .policy: RoleKeys(keyIDs: signers.map(\.publicKey.keyID), threshold: policyKeys),
                .envelope: RoleKeys(keyIDs: [envelopeKey.publicKey.keyID], threshold: 1),
            ])
        root = try TrustRoot(trusting: document.signed(by: [rootKey]))
        var policy = ControlPolicy()
        policy.transformer.ratedKVA = 250
        policy.voltVar = .categoryA
        policy.thermal.hotSpotLimitC = 95
        policy.telemetry = TelemetryPolicy(queueMaxRows: 7_200)
        self.policy = policy
        bundle = try PolicyBundle.sign(
            policy: policy, version: 7, expires: now + 30 * 86_400, targets: [.group("feeder-12")], keys: signers,
            root: root, now: now)
    }
}
