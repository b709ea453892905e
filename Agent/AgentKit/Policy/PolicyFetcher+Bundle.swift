import EdgeCurl
import GridCore
import Logging
import PolicyTrust

extension PolicyFetcher {
    /// What the bundle request found: a label for the status, and a transfer failure when there was one.
    struct BundleResult {
        var label: String
        var failure: String?
    }

    /// The conditional GET of this agent's bundle, and what is done with a new one.
    func fetchBundle() async -> BundleResult {
        let url = bundleURL
        let etag = cache.record(named: ControlLoop.etagRecord).map { String(decoding: $0, as: UTF8.self) }
        let result: ConditionalGetResult
        do {
            result = try await client.get(url, ifNoneMatch: etag)
        } catch {
            return BundleResult(label: error.label, failure: error.label)
        }
        switch result {
        case .notModified:
            // Nothing new: nothing is checked again.
            return BundleResult(label: "not_modified")
        case .response(let response) where response.status == 404:
            // No rollout has reached this agent yet: it keeps what it has.
            return BundleResult(label: "no_bundle")
        case .response(let response) where response.status == 200:
            return BundleResult(label: take(response, from: url))
        case .response(let response):
            return BundleResult(label: "http_\(response.status)", failure: "http_\(response.status)")
        }
    }

    /// Verifies a fetched bundle with `PolicyBundle.verify` and hands it to the loop, or refuses it.
    func take(_ response: CurlResponse, from url: String) -> String {
        let bytes = response.body
        let etag = response.etag
        if bytes == cache.activeBundle() {
            keep(etag)
            return "in_force"
        }
        guard let root = trust.root else { return "no_root" }
        let now = clock.now()
        do {
            let bundle = try PolicyBundle.verify(bytes, root: root, agent: agent, installedVersion: cache.highestPolicyVersion(), now: now)
            // The loop adopts it at its next cycle boundary, stores it through the cache, and keeps the entity tag.
            inbox.deliver(PolicyInbox.Delivery(
                policy: bundle.policy, bundleBytes: bundle.envelopeBytes, receivedAt: now, source: url, reportable: true, etag: etag))
            logger.info("bundle accepted", metadata: ["policy.version": "\(bundle.version)", "policy.source": "\(url)"])
            return "accepted v\(bundle.version)"
        } catch {
            let version = Self.version(of: bytes, etag: etag)
            let reverted = cache.record(named: ControlLoop.revertedRecord).flatMap { Int(String(decoding: $0, as: UTF8.self)) }
            if error.code == .rollback, let reverted, version == reverted {
                // The aggregator still serves the bundle this agent reverted from; it was reported then.
                keep(etag)
                return "reverted v\(version)"
            }
            var reason = error.reason
            if response.bodyTruncated { reason += " (the response was longer still: cut at \(bytes.count) bytes)" }
            refuse(code: error.code.rawValue, reason: reason, version: version, source: url, etag: etag, now: now)
            return "refused \(error.code.rawValue)"
        }
    }

    /// A refused bundle: the log, the event log with its code, the `POLICY_REFUSED` alarm, and the report. Its entity
    /// tag is kept, so that the same bundle is not checked and reported again at every round.
    private func refuse(code: String, reason: String, version: Int, source: String, etag: String?, now: Timestamp) {
        logger.error("bundle refused: the policy in force stays", metadata: [
            "policy.version": "\(version)", "policy.code": "\(code)", "policy.reason": "\(reason)", "policy.source": "\(source)",
        ])
        cache.recordEvent(code: "POLICY_REFUSED", message: "\(code): \(reason) (from \(source))", at: now)
        watch.refused(code: code, reason: reason, source: source, at: now)
        cache.keepReport(
            PolicyReport(version: version, result: .rejected, code: code, reason: reason, health: .init(alarms: watch.alarmCodes), at: now).body(),
            at: Timestamp.wallClock())
        keep(etag)
    }

    private func keep(_ etag: String?) {
        guard let etag else { return }
        cache.storeRecord(Array(etag.utf8), named: ControlLoop.etagRecord)
    }

    /// The version a refused bundle claims, for its report: from the payload when it can be read (unverified: only for
    /// the report), else from the entity tag (`"7"`), else 0.
    static func version(of bytes: [UInt8], etag: String?) -> Int {
        if let inspected = try? PolicyBundle.inspect(bytes) { return inspected.version }
        let digits = (etag ?? "").filter { $0 != "\"" && $0 != " " }
        return Int(digits.hasPrefix("W/") ? String(digits.dropFirst(2)) : digits) ?? 0
    }
}
