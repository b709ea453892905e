import StrictJSON

/// Reads the configuration file's tree (parsed by `StrictJSON`): every section refuses keys it does not know,
/// so a typo never falls back to a default; types are checked here, ranges by `AggregatorConfig.check()`.
extension AggregatorConfig {
    init(reading node: JSONNode) throws(StrictJSONError) {
        let top = try node.object("")
        try top.refuseUnknownKeys(["listen", "tls", "trust", "storage", "limits", "planner", "dashboard"])
        listen = try top.optional("listen").map { node throws(StrictJSONError) in try Listen(reading: node.object("listen")) } ?? .init()
        tls = try TLS(reading: top.require("tls").object("tls"))
        trust = try top.optional("trust").map { node throws(StrictJSONError) in try Trust(reading: node.object("trust")) } ?? .init()
        storage = try top.optional("storage").map { node throws(StrictJSONError) in try Storage(reading: node.object("storage")) } ?? .init()
        limits = try top.optional("limits").map { node throws(StrictJSONError) in try Limits(reading: node.object("limits")) } ?? .init()
        planner = try top.optional("planner").map { node throws(StrictJSONError) in try Planner(reading: node.object("planner")) }
        dashboard = try top.optional("dashboard").map { node throws(StrictJSONError) in try Dashboard(reading: node.object("dashboard")) } ?? .init()
    }
}

extension JSONObject {
    /// An optional integer member (left out: nil, so the default stays).
    func int(_ key: String) throws(StrictJSONError) -> Int? {
        try optional(key)?.int(path(key))
    }

    func string(_ key: String) throws(StrictJSONError) -> String? {
        try optional(key)?.string(path(key))
    }
}

extension AggregatorConfig.Listen {
    init(reading object: JSONObject) throws(StrictJSONError) {
        try object.refuseUnknownKeys(["host", "port"])
        self.init()
        host = try object.string("host") ?? host
        port = try object.int("port") ?? port
    }
}

extension AggregatorConfig.TLS {
    init(reading object: JSONObject) throws(StrictJSONError) {
        try object.refuseUnknownKeys(["ca_file", "cert_file", "key_file", "crl_file"])
        self.init(
            caFile: try object.require("ca_file").string(object.path("ca_file")),
            certFile: try object.require("cert_file").string(object.path("cert_file")),
            keyFile: try object.require("key_file").string(object.path("key_file")),
            crlFile: try object.require("crl_file").string(object.path("crl_file")))
    }
}

extension AggregatorConfig.Trust {
    init(reading object: JSONObject) throws(StrictJSONError) {
        try object.refuseUnknownKeys(["root_file"])
        self.init(rootFile: try object.string("root_file"))
    }
}

extension AggregatorConfig.Storage {
    init(reading object: JSONObject) throws(StrictJSONError) {
        try object.refuseUnknownKeys([
            "path", "policy_path", "raw_retention_days", "aggregate_retention_days", "write_queue_batches", "batches_per_transaction",
        ])
        self.init()
        path = try object.string("path") ?? path
        policyPath = try object.string("policy_path")
        rawRetentionDays = try object.int("raw_retention_days") ?? rawRetentionDays
        aggregateRetentionDays = try object.int("aggregate_retention_days") ?? aggregateRetentionDays
        writeQueueBatches = try object.int("write_queue_batches") ?? writeQueueBatches
        batchesPerTransaction = try object.int("batches_per_transaction") ?? batchesPerTransaction
    }
}

extension AggregatorConfig.Limits {
    init(reading object: JSONObject) throws(StrictJSONError) {
        try object.refuseUnknownKeys([
            "max_body_bytes", "max_decompressed_bytes", "max_cells_per_frame", "max_clock_skew_s", "max_connections",
            "request_timeout_s", "handshake_timeout_s",
        ])
        self.init()
        maxBodyBytes = try object.int("max_body_bytes") ?? maxBodyBytes
        maxDecompressedBytes = try object.int("max_decompressed_bytes") ?? maxDecompressedBytes
        maxCellsPerFrame = try object.int("max_cells_per_frame") ?? maxCellsPerFrame
        maxClockSkewS = try object.int("max_clock_skew_s") ?? maxClockSkewS
        maxConnections = try object.int("max_connections") ?? maxConnections
        requestTimeoutS = try object.int("request_timeout_s") ?? requestTimeoutS
        handshakeTimeoutS = try object.int("handshake_timeout_s") ?? handshakeTimeoutS
    }
}

extension JSONNode {
    /// The line of every key in this tree by dotted path (`limits.max_body_bytes`), for range errors found later.
    func keyLines(prefix: String = "") -> [String: Int] {
        guard case .object(let members) = value else { return [:] }
        var lines: [String: Int] = [:]
        for member in members {
            let path = prefix.isEmpty ? member.key : "\(prefix).\(member.key)"
            lines[path] = member.node.line
            lines.merge(member.node.keyLines(prefix: path)) { first, _ in first }
        }
        return lines
    }
}
