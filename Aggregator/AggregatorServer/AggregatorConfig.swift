import FoundationEssentials
import StrictJSON
public import Telemetry

/// The aggregator's configuration file (JSON, snake_case keys, unknown keys refused); every key is in docs/aggregator.md.
public struct AggregatorConfig: Sendable, Hashable {
    /// Where the HTTPS server listens.
    public struct Listen: Sendable, Hashable {
        public var host: String = "0.0.0.0"
        public var port: Int = 8443
        public init(host: String = "0.0.0.0", port: Int = 8443) { (self.host, self.port) = (host, port) }
    }
    /// PEM files from the deployment CA (docs/provisioning.md).
    public struct TLS: Sendable, Hashable {
        public var caFile: String
        public var certFile: String
        public var keyFile: String
        public var crlFile: String
        public init(caFile: String, certFile: String, keyFile: String, crlFile: String) {
            (self.caFile, self.certFile, self.keyFile, self.crlFile) = (caFile, certFile, keyFile, crlFile)
        }
    }
    /// The root of trust for signed policy: the root the aggregator pins (the one agents are provisioned with).
    public struct Trust: Sendable, Hashable {
        /// `root.json` as `v2g-adm keys init` wrote it; nil: no signed policy (rollout routes answer 503).
        public var rootFile: String?
        public init(rootFile: String? = nil) { self.rootFile = rootFile }
    }
    /// The SQLite stores, how long they keep raw samples and aggregates, and the telemetry write queue.
    public struct Storage: Sendable, Hashable {
        public var path: String = "/var/lib/v2g-aggregator/telemetry.sqlite"
        /// Roots, rollouts, the audit log and the neighborhood goals; nil: `policy.sqlite` beside `path`.
        public var policyPath: String? = nil
        public var rawRetentionDays: Int = 30
        public var aggregateRetentionDays: Int = 730
        /// Batches that may wait for the writer; past this an upload gets 503 with Retry-After.
        public var writeQueueBatches: Int = 512
        /// Most batches one transaction commits.
        public var batchesPerTransaction: Int = 64
        public init(
            path: String = "/var/lib/v2g-aggregator/telemetry.sqlite", policyPath: String? = nil, rawRetentionDays: Int = 30,
            aggregateRetentionDays: Int = 730, writeQueueBatches: Int = 512, batchesPerTransaction: Int = 64
        ) {
            (self.path, self.policyPath, self.rawRetentionDays, self.aggregateRetentionDays) = (path, policyPath, rawRetentionDays, aggregateRetentionDays)
            (self.writeQueueBatches, self.batchesPerTransaction) = (writeQueueBatches, batchesPerTransaction)
        }

        /// `policyPath`, or `policy.sqlite` in the telemetry store's directory.
        public var resolvedPolicyPath: String {
            if let policyPath { return policyPath }
            guard let slash = path.lastIndex(of: "/") else { return "policy.sqlite" }
            return String(path[...slash]) + "policy.sqlite"
        }
    }
    /// Per-request limits against large, compressed-bomb and slow clients.
    public struct Limits: Sendable, Hashable {
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
    public var trust: Trust
    public var storage: Storage
    public var limits: Limits
    /// The planning service and its envelope keys (`PlannerConfig.swift`); nil: no planner.
    public var planner: Planner?
    public var dashboard: Dashboard = .init()

    public init(
        listen: Listen = .init(), tls: TLS, trust: Trust = .init(), storage: Storage = .init(), limits: Limits = .init(),
        planner: Planner? = nil
    ) {
        (self.listen, self.tls, self.trust, self.storage, self.limits) = (listen, tls, trust, storage, limits)
        self.planner = planner
    }

    /// Parses and checks `bytes` read from `file` with the one strict reader (`StrictJSON`: no trailing comma, no
    /// duplicate key, no comment), then known keys, types and ranges. The error names the file, the line and the key:
    /// `file:line:column: reason` for the text, `file:line: key: reason` for a value.
    public static func parse(_ bytes: [UInt8], file: String = "configuration") throws(AggregatorError) -> AggregatorConfig {
        let tree: JSONNode
        let config: AggregatorConfig
        do throws(StrictJSONError) {
            tree = try StrictJSON.parse(bytes)
            config = try AggregatorConfig(reading: tree)
        } catch {
            guard let column = error.column else {
                throw .config("\(file):\(error.line): \(error.field.isEmpty ? "" : error.field + ": ")\(error.reason)")
            }
            throw .config("\(file):\(error.line):\(column): \(error.reason)")
        }
        do {
            try config.check()
        } catch {
            // The line of the key, or of the nearest section the file spells.
            let lines = tree.keyLines()
            var path = error.key
            while !path.isEmpty, lines[path] == nil { path = path.split(separator: ".").dropLast().joined(separator: ".") }
            let line = lines[path].map { ":\($0)" } ?? ""
            throw .config("\(file)\(line): \(error.key): \(error.reason)")
        }
        return config
    }

    /// Range checks that JSON types cannot express; the error names the key.
    public func validate() throws(AggregatorError) {
        do { try check() } catch { throw .config("\(error.key): \(error.reason)") }
    }

    func check() throws(ConfigProblem) {
        try dashboard.check()
        if trust.rootFile?.isEmpty == true { throw ConfigProblem("trust.root_file", "must name a file (leave the key out for no signed policy)") }
        if storage.policyPath?.isEmpty == true { throw ConfigProblem("storage.policy_path", "must name a file (leave the key out for policy.sqlite beside storage.path)") }
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
        try planner?.check(trustRootFile: trust.rootFile)
    }
}

/// A key of the configuration and what is wrong with it (located in the file by `parse`).
struct ConfigProblem: Error {
    var key: String
    var reason: String
    init(_ key: String, _ reason: String) { (self.key, self.reason) = (key, reason) }
}
