import FoundationEssentials

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
    /// The SQLite store and how long it keeps raw samples and aggregates.
    public struct Storage: Sendable, Hashable, Decodable {
        public var path: String = "/var/lib/v2g-aggregator/telemetry.sqlite"
        public var rawRetentionDays: Int = 30
        public var aggregateRetentionDays: Int = 730
        public init(path: String = "/var/lib/v2g-aggregator/telemetry.sqlite", rawRetentionDays: Int = 30, aggregateRetentionDays: Int = 730) {
            (self.path, self.rawRetentionDays, self.aggregateRetentionDays) = (path, rawRetentionDays, aggregateRetentionDays)
        }
    }
    /// Per-request limits against large, compressed-bomb and slow clients.
    public struct Limits: Sendable, Hashable, Decodable {
        /// Largest request body on the wire (the compressed frame).
        public var maxBodyBytes: Int = 1 << 20
        /// Largest body a frame may decompress to.
        public var maxDecompressedBytes: Int = 8 << 20
        /// Connections served at once; nil: no limit beyond the OS.
        public var maxConnections: Int? = nil
        /// A connection idle (no bytes read) this long is closed, handshake included.
        public var requestTimeoutS: Int = 30
        public init(maxBodyBytes: Int = 1 << 20, maxDecompressedBytes: Int = 8 << 20, maxConnections: Int? = nil, requestTimeoutS: Int = 30) {
            (self.maxBodyBytes, self.maxDecompressedBytes, self.maxConnections, self.requestTimeoutS) =
                (maxBodyBytes, maxDecompressedBytes, maxConnections, requestTimeoutS)
        }
    }

    public var listen: Listen
    public var tls: TLS
    public var storage: Storage
    public var limits: Limits

    public init(listen: Listen = .init(), tls: TLS, storage: Storage = .init(), limits: Limits = .init()) {
        (self.listen, self.tls, self.storage, self.limits) = (listen, tls, storage, limits)
    }

    /// Parses and checks `bytes`; the error names the key or the range.
    public static func parse(_ bytes: [UInt8]) throws -> AggregatorConfig {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let config: AggregatorConfig
        do {
            config = try decoder.decode(AggregatorConfig.self, from: Data(bytes))
        } catch let error as AggregatorError {
            throw error
        } catch {
            throw AggregatorError.config("configuration is not valid: \(error)")
        }
        try config.validate()
        return config
    }

    /// Range checks that JSON types cannot express.
    public func validate() throws {
        guard (1...65_535).contains(listen.port) || listen.port == 0 else {
            throw AggregatorError.config("listen.port \(listen.port) is outside 0...65535")
        }
        guard limits.maxBodyBytes >= 64, limits.maxBodyBytes <= 64 << 20 else {
            throw AggregatorError.config("limits.max_body_bytes \(limits.maxBodyBytes) is outside 64...67108864")
        }
        guard limits.maxDecompressedBytes >= limits.maxBodyBytes, limits.maxDecompressedBytes <= 256 << 20 else {
            throw AggregatorError.config("limits.max_decompressed_bytes must be in max_body_bytes...268435456")
        }
        guard (1...3_600).contains(limits.requestTimeoutS) else {
            throw AggregatorError.config("limits.request_timeout_s \(limits.requestTimeoutS) is outside 1...3600")
        }
        if let connections = limits.maxConnections, connections < 1 {
            throw AggregatorError.config("limits.max_connections \(connections) must be at least 1")
        }
        guard storage.rawRetentionDays >= 1, storage.aggregateRetentionDays >= storage.rawRetentionDays else {
            throw AggregatorError.config("storage: raw_retention_days ≥ 1 and aggregate_retention_days ≥ raw_retention_days")
        }
    }
}
