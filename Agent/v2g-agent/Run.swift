import AgentKit
public import ArgumentParser
import GridCore
public import Logging
import ServiceLifecycle
import UnixSignals
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The daemon: regulate every cycle until SIGTERM. Needs no network to start or to run.
struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the agent: poll the field, regulate, write setpoints, every cycle, until SIGTERM.",
        discussion: """
            The configuration names the meter, the temperature block and each charger (docs/agent-config.md).
            The policy in force comes from the local cache; --config's policy_file seeds it when the cache holds
            none or an older version (never a lower or equal one); with a trust section it must be a signed bundle,
            and policy_fetch brings signed bundles from the aggregator. Without any, the built-in safe defaults
            apply. The agent opens no port.
            """
    )

    @Option(name: .long, help: "Agent configuration file (JSON; # and // comment lines allowed).")
    var config: String

    @Option(name: .long, help: "Follow the field simulator's clock file (demo and rehearsal only; see docs/simulator.md).")
    var simClock: String?

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    func run() async throws {
        // Nothing the agent creates is for others: at most 0640 for files, 0750 for directories.
        umask(0o027)
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

        let clock: AgentClock
        do {
            clock = try simClock.map { path throws(ConfigFileError) in try AgentClock.simulation(clockFile: path) } ?? .realTime
        } catch {
            throw fail(error.description)
        }
        // Cache alarms (a file moved aside, memory only) are logged by the loop's first cycle, with every other alarm.
        let daemon = AgentDaemon(config: config, clock: clock, logger: logger)
        defer { daemon.stop() }
        daemon.operations.notifyReady()
        let group = ServiceGroup(configuration: .init(
            services: daemon.services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        daemon.operations.notifyStopping()
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
