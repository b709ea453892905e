import AggregatorKit
import AggregatorServer
import Telemetry
import ArgumentParser
import FoundationEssentials
import Logging

/// `v2g-aggregator`: the fleet's HTTPS endpoint (mutual TLS) for telemetry, fleet view and metrics.
@main
struct V2GAggregator: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "v2g-aggregator",
        abstract: "Receives agents' telemetry over mutual TLS and serves the fleet view (docs/aggregator.md).",
        subcommands: [Serve.self, CheckConfig.self],
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
        do { return try AggregatorConfig.parse([UInt8](data)) } catch let error as AggregatorError {
            throw ValidationError("\(config): \(error.message)")
        }
    }
}

/// Runs the server until SIGTERM/SIGINT; SIGHUP re-reads the CRL.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the HTTPS server (graceful stop on SIGTERM/SIGINT, CRL reload on SIGHUP)."
    )

    @OptionGroup var options: ConfigOption

    func run() async throws {
        let config = try options.load()
        var logger = Logger(label: "v2g-aggregator")
        logger.logLevel = .info
        let store: SQLiteTelemetryStore
        do {
            store = try SQLiteTelemetryStore(path: config.storage.path)
        } catch {
            throw ValidationError("storage \(config.storage.path): \(error)")
        }
        let telemetry = StoredTelemetry(
            store: store,
            limits: IngestLimits(
                maxBodyBytes: config.limits.maxBodyBytes,
                telemetry: TelemetryLimits(maxFrameBytes: config.limits.maxBodyBytes, maxBodyBytes: config.limits.maxDecompressedBytes)))
        let server: AggregatorApplication
        do {
            server = try AggregatorApplication(config: config, ingest: telemetry, fleet: telemetry, logger: logger)
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
        let config = try options.load()
        let list: RevocationList
        do { list = try RevocationList(contentsOf: config.tls.crlFile) } catch let error as AggregatorError {
            throw ValidationError(error.message)
        }
        print("configuration ok: \(config.listen.host):\(config.listen.port), CRL lists \(list.revokedSerials.count) serial(s)")
    }
}
