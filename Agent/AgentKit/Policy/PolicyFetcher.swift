public import EdgeCurl
public import GridCore
public import Logging
public import PolicyTrust
import Synchronization

/// One round of the signed-policy path against the aggregator (docs/agent.md, "Signed policies"):
///
/// 1. walk the roots: `GET /v1/roots/{N+1}` until 404, each checked by `TrustRoot.rotated(to:)` and kept;
/// 2. `GET /v1/agents/{id}/bundle` with `If-None-Match`: 304 and 404 change nothing; a new bundle is verified by
///    `PolicyBundle.verify` (the path `v2g-adm policy verify` takes) and handed to the loop's inbox, or refused loudly;
/// 3. post the reports waiting in the cache, oldest first, each until the aggregator acknowledges it.
///
/// Its calls block on SQLite and wait on EdgeCurl's own dispatch queue: the service runs it on a thread of its own.
public final class PolicyFetcher: Sendable {
    /// What one round found, for the status and the service's timing.
    public struct Round: Sendable, Hashable {
        /// `not_modified`, `no_bundle`, `accepted v8`, `refused UNSIGNED`, `in_force`, a transfer label, …
        public var bundle: String?
        /// The first transfer failure of the round (roots, bundle or reports), for backoff and the log.
        public var failure: String?
        public var reportsSent = 0
        /// True when reports are still waiting after a retryable failure.
        public var reportsHeldBack = false
    }

    public let settings: PolicyFetchSettings
    public let agent: AgentIdentity
    let client: CurlClient
    let trust: TrustAnchor
    let cache: GuardedCache
    let inbox: PolicyInbox
    let watch: PolicyWatch
    let clock: AgentClock
    let logger: Logger
    /// The last root refusal said, so that a bad root served at every round is logged once.
    private let lastRootRefusal = Mutex<String?>(nil)

    /// Reports posted per round at most; the rest go next round.
    static let reportsPerRound = 16

    public init(
        settings: PolicyFetchSettings, agent: AgentIdentity, trust: TrustAnchor, cache: GuardedCache, inbox: PolicyInbox,
        watch: PolicyWatch, clock: AgentClock, logger: Logger
    ) throws(CurlError) {
        self.settings = settings
        self.agent = agent
        let tls = MutualTLSFiles(caPath: settings.caFile, certificatePath: settings.certFile, keyPath: settings.keyFile)
        // One byte over the bundle cap is enough for the verifier to refuse an oversize bundle before parsing.
        client = try CurlClient(
            settings: CurlSettings(
                tls: tls, connectTimeoutS: settings.connectTimeoutS, totalTimeoutS: settings.totalTimeoutS,
                maxResponseBytes: max(PolicyBundle.defaultMaxBytes, TrustRoot.defaultMaxBytes) + 1),
            label: "v2g-agent.policy")
        self.trust = trust
        self.cache = cache
        self.inbox = inbox
        self.watch = watch
        self.clock = clock
        self.logger = logger
    }

    public var bundleURL: String { UplinkSettings.agentURL(baseURL: settings.baseURL, agentID: agent.id, "bundle") }
    public var reportURL: String { UplinkSettings.agentURL(baseURL: settings.baseURL, agentID: agent.id, "policy-report") }

    /// Roots, bundle, reports.
    public func round() async -> Round {
        var round = Round()
        round.failure = await walkRoots()
        if let root = trust.root {
            let now = clock.now()
            watch.setTrustAlarm(
                "TRUST_ROOT_EXPIRED",
                root.isExpired(at: now) ? "the trusted root version \(root.version) expired at \(root.expires.rfc3339): every new bundle is refused until a newer root arrives; the policy in force stays" : nil)
            let bundle = await fetchBundle()
            round.bundle = bundle.label
            if round.failure == nil { round.failure = bundle.failure }
            watch.updateStatus {
                $0.lastFetch = bundle.label
                $0.lastFetchAt = now
            }
        }
        let reports = await postReports()
        round.reportsSent = reports.sent
        round.reportsHeldBack = reports.failure != nil
        if round.failure == nil { round.failure = reports.failure }
        return round
    }

    /// Root N+1, N+2, … until the aggregator has no newer one. Returns a transfer failure's label, if any.
    func walkRoots() async -> String? {
        for _ in 0..<100 {
            guard let trusted = trust.root else { return nil }
            let url = "\(trimmedBase)/v1/roots/\(trusted.version + 1)"
            let response: CurlResponse
            do {
                switch try await client.get(url) {
                case .response(let got), .notModified(let got): response = got
                }
            } catch {
                return error.label
            }
            switch response.status {
            case 404:
                noteRootRefusal(nil)
                return nil
            case 200:
                do {
                    let next = try trust.rotate(to: response.body)
                    noteRootRefusal(nil)
                    logger.notice("root of trust rotated", metadata: ["trust.root_version": "\(next.version)"])
                    cache.recordEvent(code: "TRUST_ROOT_ROTATED", message: "version \(trusted.version) → \(next.version) (from \(url))", at: clock.now())
                    // The bundle in force is checked again under the new root at the next fetch.
                    cache.storeRecord(nil, named: ControlLoop.etagRecord)
                } catch {
                    noteRootRefusal("root version \(trusted.version + 1) from \(url) refused: \(error)")
                    return nil
                }
            default:
                return "http_\(response.status)"
            }
        }
        return nil
    }

    private func noteRootRefusal(_ message: String?) {
        let changed = lastRootRefusal.withLock { last in
            defer { last = message }
            return last != message
        }
        watch.setTrustAlarm("TRUST_ROOT_REFUSED", message.map { "\($0); the trusted root stays" })
        guard changed, let message else { return }
        logger.error("root of trust rotation refused", metadata: ["trust.reason": "\(message)"])
        cache.recordEvent(code: "TRUST_ROOT_REFUSED", message: message, at: clock.now())
    }

    private var trimmedBase: String {
        var base = settings.baseURL
        while base.hasSuffix("/") { base.removeLast() }
        return base
    }
}
