import AggregatorKit
import AggregatorServer
import Telemetry
import ArgumentParser
import FoundationEssentials
import GridCore
import Logging
import PolicyTrust
import ServiceLifecycle

/// `v2g-aggregator`: the fleet's HTTPS endpoint (mutual TLS) for telemetry, the fleet view, metrics and signed
/// policy rollouts.
@main
struct V2GAggregator: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "v2g-aggregator",
        abstract: "Receives agents' telemetry over mutual TLS, serves the fleet view and rolls out signed policy (docs/aggregator.md).",
        subcommands: [Serve.self, CheckConfig.self, Audit.self],
        defaultSubcommand: Serve.self
    )
}

/// Options every subcommand shares.
struct ConfigOption: ParsableArguments {
    @Option(name: .long, help: "Configuration file (JSON; keys in docs/aggregator.md).")
    var config: String = "/etc/v2g/aggregator.json"

    func load() throws -> AggregatorConfig {
        guard let data = FileManager.default.contents(atPath: config) else {
            throw ValidationError("cannot read --config \(config)")
        }
        do { return try AggregatorConfig.parse([UInt8](data), file: config) } catch {
            throw ValidationError(error.message)
        }
    }
}

extension AggregatorConfig.Trust {
    /// The pinned root of `root_file`, checked (signed by a threshold of its own root keys); nil when not configured.
    func pinnedRoot() throws -> TrustRoot? {
        guard let rootFile else { return nil }
        guard let data = FileManager.default.contents(atPath: rootFile) else {
            throw ValidationError("trust.root_file: cannot read \(rootFile)")
        }
        do { return try TrustRoot(trusting: [UInt8](data)) } catch {
            throw ValidationError("trust.root_file \(rootFile): refused: \(error)")
        }
    }
}

/// Runs the server until SIGTERM/SIGINT; SIGHUP re-reads the CRL.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the HTTPS server (graceful stop on SIGTERM/SIGINT, CRL reload on SIGHUP)."
    )

    @OptionGroup var options: ConfigOption
    @Option(
        name: .customLong("sim-clock"),
        help: "Plan on a simulation's clock (the file of v2g-sim run --clock-file); for simulations and tests only.")
    var simClock: String?

    func run() async throws {
        let config = try options.load()
        let now = try SimulatedTime.now(clockFile: simClock)
        var logger = Logger(label: "v2g-aggregator")
        logger.logLevel = .info
        let limits = IngestLimits(
            maxBodyBytes: config.limits.maxBodyBytes,
            telemetry: TelemetryLimits(maxFrameBytes: config.limits.maxBodyBytes, maxBodyBytes: config.limits.maxDecompressedBytes),
            maxCellsPerFrame: config.limits.maxCellsPerFrame, maxFutureSkewMs: Int64(config.limits.maxClockSkewS) * 1_000,
            maxAgeMs: Int64(config.storage.aggregateRetentionDays) * 86_400_000)
        let store: SQLiteTelemetryStore
        do {
            store = try SQLiteTelemetryStore(
                path: config.storage.path, queueCapacity: config.storage.writeQueueBatches,
                batchesPerTransaction: config.storage.batchesPerTransaction,
                futureLimitMs: Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)) + limits.maxFutureSkewMs)
        } catch {
            throw ValidationError("storage \(config.storage.path): \(error)")
        }
        let pinned = try config.trust.pinnedRoot()
        if pinned == nil { logger.info("no trust.root_file: rollouts cannot start and roots cannot be published") }
        let policyPath = config.storage.resolvedPolicyPath
        let coordinator: RolloutCoordinator
        do {
            coordinator = try await RolloutCoordinator.open(store: try SQLitePolicyStore(path: policyPath), pinnedRoot: pinned, logger: logger)
        } catch {
            throw ValidationError("storage \(policyPath): \(error)")
        }
        let goals: SQLiteGoalStore
        do { goals = try SQLiteGoalStore(path: policyPath) } catch {
            throw ValidationError("storage \(policyPath): goals: \(error)")
        }
        // The live boards, created once: the state route fills `fleetState` and answers from `envelopes`; the planner
        // reads the one and writes the other; the dashboard draws both. In memory, refilled within a report interval.
        let neighborhood = NeighborhoodState(now: now)
        let fleetState = neighborhood.fleet
        let envelopes = neighborhood.envelopes
        let plans = PlanBoard()
        let metrics = AggregatorMetrics()
        // The goal store (in policy.sqlite) serves the goal routes; the planner reads goals from it and records its
        // envelope sequence in it.
        let goalStore: (any GoalStore)? = goals
        let planner = try PlannerStartup.service(
            config: config, goals: goalStore, fleetState: fleetState, envelopes: envelopes, plans: plans, metrics: metrics, now: now,
            logger: logger)
        let dashboard = DashboardFeed(
            sources: DashboardSources(
                fleet: fleetState, envelopes: envelopes, telemetry: store, coordinator: coordinator,
                plan: { plans.lastPass.flatMap { DashboardPlanSummary($0, entries: fleetState.entries(), now: now()) } }, now: now),
            settings: config.dashboard.settings, maxStreams: config.dashboard.maxStreams)
        let server: AggregatorApplication
        let systemd = SystemdNotifyService(logger: logger)  // Type=notify: READY, WATCHDOG, STOPPING
        var services: [any Service] = [
            RetentionService(store: store, storage: config.storage, logger: logger), RolloutService(coordinator: coordinator), systemd,
        ]
        if let planner { services.append(planner) }
        do {
            server = try AggregatorApplication(
                config: config, pipeline: IngestPipeline(store: store, limits: limits), coordinator: coordinator, goals: goals, logger: logger,
                metrics: metrics,
                neighborhood: neighborhood,
                plan: planner.map { _ in PlanRoutes(plans: plans, fleetState: fleetState, envelopes: envelopes, now: now) },
                services: services,
                dashboard: dashboard,
                onServerRunning: systemd.serverRunning)
        } catch let error as AggregatorError {
            throw ValidationError(error.message)
        }
        try await server.runUntilTerminated()
    }
}

/// Parses the configuration and loads the TLS files and the CRL, then exits.
struct CheckConfig: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "check-config", abstract: "Validate the configuration, TLS files and CRL.")

    @OptionGroup var options: ConfigOption

    func run() async throws {
        try ConfigPreflight.check(configPath: options.config)
        let config = try options.load()
        let list: RevocationList
        do { list = try RevocationList(contentsOf: config.tls.crlFile, caFile: config.tls.caFile) } catch let error as AggregatorError {
            throw ValidationError(error.message)
        }
        let root = try config.trust.pinnedRoot().map { "pinned root version \($0.version)" } ?? "no trust.root_file"
        var planner = "no planner"
        if let section = config.planner, section.enabled {
            let signer: EnvelopeSigner
            do { signer = try section.envelopeSigner(trustRootFile: config.trust.rootFile, now: Timestamp(secondsSinceEpoch: Date().timeIntervalSince1970)) } catch {
                throw ValidationError(error.message)
            }
            planner = "planner every \(section.periodS) s, envelopes valid \(signer.validityS) s, \(signer.keyIDs.count) envelope key(s) of root version \(signer.root.version)"
        }
        print("configuration ok: \(config.listen.host):\(config.listen.port), CRL signed by the CA and lists \(list.revokedSerials.count) serial(s), \(root), \(planner)")
    }
}

/// Prints, per agent, the count and checksum of the raw samples stored: compare with `v2g-agent flush`/`status`.
struct Audit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Count and checksum the raw samples stored per agent (reads the store; safe while serve runs).")

    @OptionGroup var options: ConfigOption
    @Option(name: .long, help: "Only this agent (default: every agent in the fleet view).")
    var agent: String?

    func run() async throws {
        let config = try options.load()
        guard FileManager.default.fileExists(atPath: config.storage.path) else {
            throw ValidationError("storage \(config.storage.path) does not exist: nothing was stored yet")
        }
        let lines: [String]
        do {
            lines = try await Self.report(path: config.storage.path, agent: agent)
        } catch {
            throw ValidationError("storage \(config.storage.path): \(error)")
        }
        for line in lines { print(line) }
    }

    static func report(path: String, agent: String?) async throws(TelemetryStoreError) -> [String] {
        let store = try SQLiteTelemetryStore(path: path, readConnections: 1)
        defer { store.close() }
        let fleet = try await store.fleet()
        var lines: [String] = []
        for id in agent.map({ [$0] }) ?? fleet.map(\.agentID) {
            let state = fleet.first { $0.agentID == id }
            let ledger = try await store.ledger(agent: id)
            lines.append("agent=\(id) \(ledger) batches=\(state?.batches ?? 0) acknowledged_through=\(state?.acknowledgedThrough ?? 0)")
        }
        return lines
    }
}
