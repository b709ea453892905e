@testable import AgentKit
import Foundation
import GridCore
import PolicyTrust
import Testing

/// Every refusal code, met by the agent itself: the bundle comes from the scripted aggregator over mutual TLS, is
/// verified by the fetcher at the frozen time, and the refusal reaches the event log (with its code), the
/// `POLICY_REFUSED` alarm and the report the aggregator receives; the agent keeps its last-known-good.
@Suite("The agent refuses each bad bundle loudly and keeps its policy", .serialized)
struct PolicyRefusalTests {
    typealias F = PolicyFixture

    /// A bundle that only the named check can refuse, and the version its report carries.
    static func bundle(for code: String, root: TrustRoot) throws -> (bytes: [UInt8], reportedVersion: Int) {
        let good = try F.bundle(version: 7, keys: code == "THRESHOLD_NOT_MET" ? [11, 12] : [11], root: root)
        switch code {
        case "OVERSIZE":
            // Trailing whitespace keeps it a valid envelope: only the size check can refuse it.
            return (good + [UInt8](repeating: 0x20, count: PolicyBundle.defaultMaxBytes), 7)
        case "MALFORMED":
            return (Array(good.prefix(good.count / 2)), 7)
        case "WRONG_PAYLOAD_TYPE":
            return (try F.envelope(F.payload(version: 7), payloadType: "application/vnd.v2g-edge.root+json"), 7)
        case "UNSIGNED":
            return (try F.envelope(F.payload(version: 7), signers: []), 7)
        case "DUPLICATE_KEY":
            var envelope = try DSSEEnvelope(parsing: good)
            envelope = DSSEEnvelope(payloadType: envelope.payloadType, payload: envelope.payload, signatures: envelope.signatures + envelope.signatures)
            return (envelope.serialized(), 7)
        case "UNKNOWN_KEY":
            return (try F.envelope(F.payload(version: 7), signers: [12]), 7)
        case "BAD_SIGNATURE":
            // The payload changed after signing: the signature is the original one.
            let envelope = try DSSEEnvelope(parsing: good)
            let changed = Array(String(decoding: envelope.payload, as: UTF8.self).replacing("\"rated_kva\":250", with: "\"rated_kva\":999").utf8)
            guard changed != envelope.payload else { throw UplinkTestError(message: "the payload was not changed") }
            return (DSSEEnvelope(payloadType: envelope.payloadType, payload: changed, signatures: envelope.signatures).serialized(), 7)
        case "THRESHOLD_NOT_MET":
            return (try F.envelope(F.payload(version: 7), signers: [11]), 7)
        case "ROLLBACK":
            return (try F.bundle(version: 3, root: root), 3)
        case "EXPIRED":
            return (try F.envelope(F.payload(version: 7, expires: "2026-05-31T23:59:59Z")), 7)
        case "WRONG_TARGET":
            return (try F.bundle(version: 7, targets: [.agent("tx-0413"), .group("feeder-13")], root: root), 7)
        case "OUT_OF_RANGE":
            return (try F.envelope(F.payload(version: 7, policy: #"{"thermal": {"hot_spot_limit_c": 130}}"#)), 7)
        default:
            preconditionFailure(code)
        }
    }

    @Test("each refusal code reaches the event log, the alarm and the aggregator's report", arguments: RefusalCode.allCodes.map(\.rawValue))
    func refusal(code: String) async throws {
        // THRESHOLD_NOT_MET needs a root asking two policy signatures; the others use one of one.
        let document = code == "THRESHOLD_NOT_MET" ? F.rootDocument(policyKeys: [11, 12], policyThreshold: 2) : F.rootDocument()
        let pinned = try F.root(document)
        let bench = try await PolicyBench(pinned: pinned)
        let root = try #require(bench.trust.root)
        // The last-known-good the agent must keep: version 5, applied from the aggregator first.
        let installed = try F.bundle(version: 5, policy: F.policy(ratedKVA: 160), keys: code == "THRESHOLD_NOT_MET" ? [11, 12] : [11], root: root)
        try bench.peer.serveBundle(installed)
        #expect(await bench.round().bundle == "accepted v5")
        bench.cycles()
        #expect(bench.loop.policy.version == 5)

        let (bad, version) = try Self.bundle(for: code, root: root)
        try bench.peer.serveBundle(bad, etag: "\"\(version)\"")
        let round = await bench.round()
        #expect(round.bundle == "refused \(code)", "\(round)")
        bench.cycles()

        // The event log, with the code.
        let refusals = bench.events.filter { $0.code == "POLICY_REFUSED" }
        #expect(refusals.count == 1 && refusals[0].message.hasPrefix("\(code): "), "\(refusals)")
        // The alarm, in force, naming the code.
        let alarm = try #require(bench.loop.activeAlarms.first { $0.code == "POLICY_REFUSED" })
        #expect(alarm.message.hasPrefix("\(code): "), "\(alarm)")
        // The report the aggregator received.
        let reports = try bench.peer.reports()
        let rejected = try #require(reports.last, "no report reached the aggregator")
        #expect(rejected["result"] as? String == "rejected" && rejected["code"] as? String == code, "\(rejected)")
        #expect(rejected["version"] as? Int == version, "\(rejected)")
        #expect((rejected["reason"] as? String)?.isEmpty == false)
        #expect(rejected["at"] as? String == F.now.rfc3339)
        // The last-known-good is still in force, and nothing is waiting.
        #expect(bench.loop.policy.version == 5 && bench.loop.policy.transformer.ratedKVA == 160)
        #expect(bench.cache.pendingReports(limit: 10).isEmpty)
    }

    @Test("an out-of-range refusal names the field, the value and the allowed range")
    func outOfRangeNamesTheField() async throws {
        let bench = try await PolicyBench(pinned: try F.root())
        let root = try #require(bench.trust.root)
        try bench.peer.serveBundle(Self.bundle(for: "OUT_OF_RANGE", root: root).bytes)
        await bench.round()
        let reason = try #require(try bench.peer.reports().last?["reason"] as? String)
        #expect(reason.contains("thermal.hot_spot_limit_c = 130") && reason.contains("60") && reason.contains("120"), "\(reason)")
        // With no last-known-good the built-in defaults stay in force, and the alarm says why.
        bench.cycles()
        #expect(bench.loop.policy.version == 0)
        #expect(bench.loop.activeAlarmCodes.contains("POLICY_REFUSED"))
    }

    @Test("the alarm clears when a valid policy arrives, and survives a restart until then")
    func alarmUntilAValidPolicy() async throws {
        let directory = try TemporaryDirectory()
        let pinned = try F.root()
        do {
            let bench = try await PolicyBench(pinned: pinned, directory: directory)
            try bench.peer.serveBundle(try F.envelope(F.payload(version: 7), signers: []))
            await bench.round()
            bench.cycles()
            #expect(bench.loop.activeAlarmCodes.contains("POLICY_REFUSED"))
        }
        // A restart: the unchanged bundle is not fetched again (304), and the alarm is still in force.
        let bench = try await PolicyBench(pinned: pinned, directory: directory)
        try bench.peer.serveBundle(try F.envelope(F.payload(version: 7), signers: []), etag: "\"7\"")
        #expect(await bench.round().bundle == "not_modified")
        bench.cycles()
        #expect(bench.loop.activeAlarmCodes.contains("POLICY_REFUSED"))
        try bench.peer.serveBundle(try F.bundle(version: 8, root: try #require(bench.trust.root)))
        #expect(await bench.round().bundle == "accepted v8")
        bench.cycles()
        #expect(!bench.loop.activeAlarmCodes.contains("POLICY_REFUSED") && bench.loop.policy.version == 8)
        #expect(bench.events.contains { $0.code == "CLEARED" && $0.message == "POLICY_REFUSED" })
    }
}
