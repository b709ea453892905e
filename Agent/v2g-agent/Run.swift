import AgentKit
public import ArgumentParser
import GridCore
public import Logging
import ServiceLifecycle
import UnixSignals

/// The daemon: regulate every cycle until SIGTERM. Needs no network to start or to run.
struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the agent: poll the field, regulate, write setpoints, every cycle, until SIGTERM.",
        discussion: """
            The configuration names the meter, the temperature block and each charger (docs/agent-config.md).
            The policy in force comes from the local cache; --config's policy_file seeds it when the cache holds
            none or an older version. Without either, the built-in safe defaults apply. The agent opens no port.
            """
    )

    @Option(name: .long, help: "Agent configuration file (JSON; # and // comment lines allowed).")
    var config: String

    @Option(name: .long, help: "Follow the field simulator's clock file (demo and rehearsal only; see docs/simulator.md).")
    var simClock: String?

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    func run() async throws {
        let level = logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        var logger = Logger(label: "v2g-agent")
        let loaded: (config: AgentConfig, warnings: [String])
        do {
            loaded = try AgentConfig.load(path: config)
        } catch {
            throw fail(error.description)
        }
        let config = loaded.config
        logger[metadataKey: "agent.id"] = "\(config.agentID)"
        for warning in loaded.warnings { logger.warning("config: \(warning)") }

        let log = logger
        let cache = GuardedCache(path: config.cachePath, logger: logger)
        for alarm in cache.activeAlarms { logger.error("cache: \(alarm)") }
        seedPolicy(config, cache: cache, logger: logger)

        let operations = AgentOperations(config: config, logger: logger)
        let clock: AgentClock
        do {
            clock = try simClock.map { path throws(ConfigFileError) in try AgentClock.simulation(clockFile: path) } ?? .realTime
        } catch {
            throw fail(error.description)
        }
        let uplink = startUplink(config, clock: clock, policy: cache.policyInForce(), operations: operations, logger: logger)
        let service = ControlLoopService(
            logger: logger, clock: clock,
            makeLoop: {
                let loop = ControlLoop(field: ModbusFieldBus(config: config), cache: cache, logger: log)
                loop.setCyclePeriod(config.cyclePeriodS)
                return loop
            },
            afterCycle: { outcome, loop, took, now in
                operations.publish(outcome, loop: loop, cycleDurationS: took, now: now)
                uplink?.record(outcome, loop: loop, now: now)
            }
        )
        operations.notifyReady()
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: service)]
        if let uplink { services.append(.init(service: uplink.service)) }
        let group = ServiceGroup(configuration: .init(
            services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        operations.notifyStopping()
    }

    /// The telemetry queue and its uploader, when the config has an `uplink` section. A queue or TLS problem
    /// disables the upload with an error in the log; regulation never depends on it.
    private func startUplink(
        _ config: AgentConfig, clock: AgentClock, policy: ControlPolicy, operations: AgentOperations, logger: Logger
    ) -> AgentUplink? {
        guard let settings = config.uplink else { return nil }
        do {
            return try AgentUplink(
                config: config, settings: settings, clock: clock, policy: policy, logger: logger,
                onWake: { report, queue, now in operations.recordUplink(report, queue: queue, now: now) })
        } catch {
            logger.error("telemetry upload disabled: \(error)")
            return nil
        }
    }

    /// A local policy file seeds the cache when the cache has none, or an older version.
    private func seedPolicy(_ config: AgentConfig, cache: GuardedCache, logger: Logger) {
        guard let path = config.policyFile else { return }
        do {
            let (policy, bytes) = try ConfigFile.loadPolicyWithBytes(path: path)
            let stored = (try? cache.cache.activePolicy()) ?? nil
            if stored == nil || policy.version > (stored?.version ?? Int.min) {
                _ = cache.adoptPolicy(policy, bundleBytes: bytes, receivedAt: .wallClock())
                logger.notice("policy adopted from \(path)", metadata: ["policy.version": "\(policy.version)"])
            }
        } catch {
            // The agent still runs, on the cached policy or the built-in safe defaults.
            logger.error("policy file refused: \(error)")
        }
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
