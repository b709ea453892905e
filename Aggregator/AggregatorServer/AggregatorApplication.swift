public import AggregatorKit
public import Hummingbird
import HummingbirdCore
public import Logging
public import NIOCore
import NIOSSL
public import ServiceLifecycle

/// Builds the HTTPS application: mutual TLS with the deployment CA, the routes (telemetry, and signed policy when a
/// coordinator is given), the CRL reload on SIGHUP.
public struct AggregatorApplication: Sendable {
    /// The Hummingbird application (a `Service`: run it in a `ServiceGroup` or with `runService()`).
    public let application: Application<RouterResponder<AgentRequestContext>>
    /// Client verification state; `reload()` re-reads the CRL.
    public let trust: ClientTrust
    public let metrics: AggregatorMetrics

    /// Loads the TLS files of `config` (refusing unreadable ones) and wires `pipeline` (and its store) behind the
    /// routes, and `coordinator` behind the policy routes (bundles, reports, roots, rollouts, audit), `goals` behind
    /// the goal routes (audited through `coordinator` when there is one); `neighborhood` behind the live state routes
    /// (`POST /v1/agents/{id}/state`, `GET /v1/fleet/state`); `plan` serves the planner's last pass (`GET /v1/plan`)
    /// when the planning service runs, and `dashboard` the operator dashboard (it runs as one of the services).
    public init(
        config: AggregatorConfig, pipeline: IngestPipeline, coordinator: RolloutCoordinator? = nil, goals: (any GoalStore)? = nil,
        logger: Logger,
        metrics: AggregatorMetrics = .init(),
        neighborhood: NeighborhoodState? = nil,
        plan: PlanRoutes? = nil,
        services: [any Service] = [],
        dashboard: DashboardFeed? = nil,
        onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }
    ) throws {
        let roots: [NIOSSLCertificate]
        let chain: [NIOSSLCertificate]
        let key: NIOSSLPrivateKey
        do {
            roots = try NIOSSLCertificate.fromPEMFile(config.tls.caFile)
            chain = try NIOSSLCertificate.fromPEMFile(config.tls.certFile)
            key = try NIOSSLPrivateKey(file: config.tls.keyFile, format: .pem)
        } catch {
            throw AggregatorError.tls("cannot load tls.ca_file, tls.cert_file or tls.key_file: \(error)")
        }
        guard !roots.isEmpty, !chain.isEmpty else { throw AggregatorError.tls("tls.ca_file or tls.cert_file holds no certificate") }
        let trust = try ClientTrust(roots: roots, crlPath: config.tls.crlFile, logger: logger) { metrics.reject($0.rawValue) }

        var tls = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        tls.minimumTLSVersion = .tlsv12
        // Client certificate required, chained to the deployment CA only (not the system store).
        tls.certificateVerification = .noHostnameVerification
        tls.trustRoots = .certificates(roots)
        tls.sendCANameList = true
        let sslContext: NIOSSLContext
        do { sslContext = try NIOSSLContext(configuration: tls) } catch { throw AggregatorError.tls("TLS context: \(error)") }

        let router = Router(context: AgentRequestContext.self)
        AggregatorRoutes(pipeline: pipeline, metrics: metrics, maxBodyBytes: config.limits.maxBodyBytes).add(to: router)
        if let coordinator {
            let store = pipeline.store
            PolicyRoutes(
                coordinator: coordinator, fleet: { (try? await store.fleet().map(\.agentID)) ?? [] }, metrics: metrics
            ).add(to: router)
        }
        if let neighborhood { StateRoutes(neighborhood: neighborhood, metrics: metrics, now: neighborhood.now).add(to: router) }
        if let goals {
            var audit: (@Sendable (AuditEntry) async -> Void)?
            if let coordinator { audit = { await coordinator.record($0) } }
            GoalRoutes(store: goals, audit: audit, clock: neighborhood?.now ?? NeighborhoodState.wallClock).add(to: router)
        }
        plan?.add(to: router)
        if let dashboard {
            DashboardRoutes(feed: dashboard, streamLifetime: DashboardRoutes.streamLifetime(requestTimeoutS: config.limits.requestTimeoutS))
                .add(to: router)
        }
        let idle = TimeAmount.seconds(Int64(config.limits.requestTimeoutS))
        let handshake = TimeAmount.seconds(Int64(config.limits.handshakeTimeoutS))
        let registry = ConnectionRegistry(maxConnections: config.limits.maxConnections, metrics: metrics)
        let server = HTTPServerBuilder { responder in
            AgentTLSChannel(
                HTTP1Channel(responder: responder, configuration: .init(idleTimeout: idle)), sslContext: sslContext, trust: trust,
                idleTimeout: idle, handshakeTimeout: handshake, requestDeadline: idle, registry: registry, metrics: metrics)
        }
        application = Application(
            router: router,
            server: server,
            configuration: .init(
                address: .hostname(config.listen.host, port: config.listen.port),
                serverName: "v2g-aggregator",
                availableConnectionsDelegate: ConnectionLimit(registry: registry)
            ),
            services: [CRLReloadService(trust: trust, logger: logger)] + services + (dashboard.map { [$0] } ?? []),
            onServerRunning: onServerRunning,
            logger: logger
        )
        self.trust = trust
        self.metrics = metrics
    }

    /// Runs the server in its own `ServiceGroup` until SIGTERM or SIGINT, then stops gracefully.
    public func runUntilTerminated() async throws {
        try await application.runService()  // Hummingbird's default signals: SIGTERM, SIGINT
    }
}
