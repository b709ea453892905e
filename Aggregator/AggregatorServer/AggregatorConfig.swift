import FoundationEssentials
public import Telemetry

/// The aggregator's configuration file (JSON, snake_case keys, unknown keys refused); every key is in docs/aggregator.md.
public struct AggregatorConfig: Sendable, Hashable, Decodable {
    /// Where the HTTPS server listens.
    public struct Listen: Sendable, Hashable, Decodable {
        public var host: String = "0.0.0.0"
        public var port: Int = 8443
        public init(host: String = "0.0.0.0", port: Int = 8443) { (self.host, self.port) = (host, port) }
    }
    /// PEM files from the deployment CA (docs/provisioning.md).
    public struct TLS: Sendable, Hashable, Decodable {
        public var caFile: String
        public var certFile: String
        public var keyFile: String
        public var crlFile: String
        public init(caFile: String, certFile: String, keyFile: String, crlFile: String) {
            (self.caFile, self.certFile, self.keyFile, self.crlFile) = (caFile, certFile, keyFile, crlFile)
        }
    }
    /// The SQLite store, how long it keeps raw samples and aggregates, and its write queue.
    public struct Storage: Sendable, Hashable, Decodable {
        public var path: String = "/var/lib/v2g-aggregator/telemetry.sqlite"
        public var rawRetentionDays: Int = 30
        public var aggregateRetentionDays: Int = 730
        /// Batches that may wait for the writer; past this an upload gets 503 with Retry-After.
        public var writeQueueBatches: Int = 512
        /// Most batches one transaction commits.
        public var batchesPerTransaction: Int = 64
        public init(
            path: String = "/var/lib/v2g-aggregator/telemetry.sqlite", rawRetentionDays: Int = 30, aggregateRetentionDays: Int = 730,
            writeQueueBatches: Int = 512, batchesPerTransaction: Int = 64
        ) {
            (self.path, self.rawRetentionDays, self.aggregateRetentionDays) = (path, rawRetentionDays, aggregateRetentionDays)
            (self.writeQueueBatches, self.batchesPerTransaction) = (writeQueueBatches, batchesPerTransaction)
        }
    }
    /// Per-request limits against large, compressed-bomb and slow clients.
    public struct Limits: Sendable, Hashable, Decodable {
        /// Largest request body on the wire (the compressed frame).
        public var maxBodyBytes: Int = 1 << 20
        /// Largest body a frame may decompress to.
        public var maxDecompressedBytes: Int = 8 << 20
        /// Most cells (rows × channels) in one frame: bounds the server time one upload can cost.
        public var maxCellsPerFrame: Int = TelemetryLimits.defaultMaxCells
        /// How far ahead of the aggregator's clock a sample may be stamped.
        public var maxClockSkewS: Int = 300
        /// Connections served at once; nil: no limit beyond the OS. Connections still in their TLS handshake give
        /// way to new ones when the limit is reached (the oldest is closed).
        public var maxConnections: Int? = nil
        /// A request must arrive whole (head and body) within this from its first byte; a connection with nothing
        /// to read this long between requests is closed too.
        public var requestTimeoutS: Int = 30
        /// The TLS handshake must be done within this from the connection's accept.
        public var handshakeTimeoutS: Int = 10
        public init(
            maxBodyBytes: Int = 1 << 20, maxDecompressedBytes: Int = 8 << 20, maxCellsPerFrame: Int = TelemetryLimits.defaultMaxCells, maxClockSkewS: Int = 300,
            maxConnections: Int? = nil, requestTimeoutS: Int = 30, handshakeTimeoutS: Int = 10
        ) {
            (self.maxBodyBytes, self.maxDecompressedBytes, self.maxCellsPerFrame, self.maxClockSkewS) =
                (maxBodyBytes, maxDecompressedBytes, maxCellsPerFrame, maxClockSkewS)
            (self.maxConnections, self.requestTimeoutS, self.handshakeTimeoutS) = (maxConnections, requestTimeoutS, handshakeTimeoutS)
        }
    }

    public var listen: Listen
    public var tls: TLS
    public var storage: Storage
    public var limits: Limits

    public init(listen: Listen = .init(), tls: TLS, storage: Storage = .init(), limits: Limits = .init()) {
        (self.listen, self.tls, self.storage, self.limits) = (listen, tls, storage, limits)
    }

    /// Parses and checks `bytes` read from `file`: strict JSON (no trailing comma, no duplicate key), known keys,
    /// values in range. The error names the file, the line and the key.
    public static func parse(_ bytes: [UInt8], file: String = "configuration") throws(AggregatorError) -> AggregatorConfig {
        let syntax: StrictJSONSyntax
        do {
            syntax = try StrictJSONSyntax(checking: bytes)
        } catch {
            throw .config("\(file):\(error.line):\(error.column): \(error.reason)")
        }
        /// `file:line: key: reason`, the line found from the key (or its section) when the file has it.
        func located(_ key: String, _ reason: String) -> AggregatorError {
            var path = key
            while !path.isEmpty, syntax.keyLines[path] == nil { path = path.split(separator: ".").dropLast().joined(separator: ".") }
            let line = syntax.keyLines[path].map { ":\($0)" } ?? ""
            return .config("\(file)\(line): \(key.isEmpty ? "" : key + ": ")\(reason)")
        }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let config: AggregatorConfig
        do {
            config = try decoder.decode(AggregatorConfig.self, from: Data(bytes))
        } catch let problem as ConfigProblem {
            throw located(problem.key, problem.reason)
        } catch let error as DecodingError {
            let (path, reason) = Self.explain(error)
            throw located(path, reason)
        } catch {
            throw .config("\(file): not a valid configuration: \(error)")
        }
        do {
            try config.check()
        } catch {
            throw located(error.key, error.reason)
        }
        return config
    }

    /// The key path (snake_case, as the file spells it) and a short reason for a decoding error.
    private static func explain(_ error: DecodingError) -> (String, String) {
        func path(_ codingPath: [any CodingKey]) -> String { codingPath.map { snakeCase($0.stringValue) }.joined(separator: ".") }
        switch error {
        case .typeMismatch(let type, let context): return (path(context.codingPath), "expected \(type)")
        case .valueNotFound(let type, let context): return (path(context.codingPath), "expected \(type), found null")
        case .keyNotFound(let key, let context):
            return (path(context.codingPath), "missing required key \(snakeCase(key.stringValue))")
        case .dataCorrupted(let context): return (path(context.codingPath), context.debugDescription)
        @unknown default: return ("", "\(error)")
        }
    }

    /// Range checks that JSON types cannot express; the error names the key.
    public func validate() throws(AggregatorError) {
        do { try check() } catch { throw .config("\(error.key): \(error.reason)") }
    }

    func check() throws(ConfigProblem) {
        guard (1...65_535).contains(listen.port) || listen.port == 0 else {
            throw ConfigProblem("listen.port", "\(listen.port) is outside 0...65535")
        }
        guard limits.maxBodyBytes >= 64, limits.maxBodyBytes <= 64 << 20 else {
            throw ConfigProblem("limits.max_body_bytes", "\(limits.maxBodyBytes) is outside 64...67108864")
        }
        guard limits.maxDecompressedBytes >= limits.maxBodyBytes, limits.maxDecompressedBytes <= 256 << 20 else {
            throw ConfigProblem("limits.max_decompressed_bytes", "must be in max_body_bytes...268435456")
        }
        guard (1...1 << 24).contains(limits.maxCellsPerFrame) else {
            throw ConfigProblem("limits.max_cells_per_frame", "\(limits.maxCellsPerFrame) is outside 1...16777216")
        }
        guard (0...86_400).contains(limits.maxClockSkewS) else {
            throw ConfigProblem("limits.max_clock_skew_s", "\(limits.maxClockSkewS) is outside 0...86400")
        }
        guard (1...3_600).contains(limits.requestTimeoutS) else {
            throw ConfigProblem("limits.request_timeout_s", "\(limits.requestTimeoutS) is outside 1...3600")
        }
        guard (1...600).contains(limits.handshakeTimeoutS) else {
            throw ConfigProblem("limits.handshake_timeout_s", "\(limits.handshakeTimeoutS) is outside 1...600")
        }
        if let connections = limits.maxConnections, connections < 1 {
            throw ConfigProblem("limits.max_connections", "\(connections) must be at least 1")
        }
        guard storage.rawRetentionDays >= 1 else {
            throw ConfigProblem("storage.raw_retention_days", "\(storage.rawRetentionDays) must be at least 1")
        }
        guard storage.aggregateRetentionDays >= storage.rawRetentionDays else {
            throw ConfigProblem("storage.aggregate_retention_days", "must be at least raw_retention_days")
        }
        guard (1...100_000).contains(storage.writeQueueBatches) else {
            throw ConfigProblem("storage.write_queue_batches", "\(storage.writeQueueBatches) is outside 1...100000")
        }
        guard (1...1_000).contains(storage.batchesPerTransaction) else {
            throw ConfigProblem("storage.batches_per_transaction", "\(storage.batchesPerTransaction) is outside 1...1000")
        }
    }
}

/// A key of the configuration and what is wrong with it (located in the file by `parse`).
struct ConfigProblem: Error {
    var key: String
    var reason: String
    init(_ key: String, _ reason: String) { (self.key, self.reason) = (key, reason) }
}
