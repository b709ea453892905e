/// Any key, to list what a JSON object holds.
private struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

/// Refuses keys the type does not know (a typo must not silently fall back to a default).
private func refuseUnknownKeys(_ decoder: any Decoder, known: [String], in section: String) throws {
    let container = try decoder.container(keyedBy: AnyKey.self)
    // Keys arrive camel-cased by `.convertFromSnakeCase`; report them as the file spells them.
    for key in container.allKeys where !known.contains(key.stringValue) {
        throw ConfigProblem(
            section + snakeCase(key.stringValue), "unknown key; allowed here: \(known.map(snakeCase).joined(separator: ", "))")
    }
}

func snakeCase(_ camel: String) -> String {
    var out = ""
    for character in camel {
        if character.isUppercase { out += "_" + character.lowercased() } else { out.append(character) }
    }
    return out
}

extension AggregatorConfig {
    private enum CodingKeys: String, CodingKey, CaseIterable { case listen, tls, storage, limits }

    public init(from decoder: any Decoder) throws {
        try refuseUnknownKeys(decoder, known: CodingKeys.allCases.map(\.rawValue), in: "")
        let container = try decoder.container(keyedBy: CodingKeys.self)
        listen = try container.decodeIfPresent(Listen.self, forKey: .listen) ?? .init()
        tls = try container.decode(TLS.self, forKey: .tls)
        storage = try container.decodeIfPresent(Storage.self, forKey: .storage) ?? .init()
        limits = try container.decodeIfPresent(Limits.self, forKey: .limits) ?? .init()
    }
}

extension AggregatorConfig.Listen {
    private enum CodingKeys: String, CodingKey, CaseIterable { case host, port }

    public init(from decoder: any Decoder) throws {
        try refuseUnknownKeys(decoder, known: CodingKeys.allCases.map(\.rawValue), in: "listen.")
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        host = try container.decodeIfPresent(String.self, forKey: .host) ?? host
        port = try container.decodeIfPresent(Int.self, forKey: .port) ?? port
    }
}

extension AggregatorConfig.TLS {
    private enum CodingKeys: String, CodingKey, CaseIterable { case caFile, certFile, keyFile, crlFile }

    public init(from decoder: any Decoder) throws {
        try refuseUnknownKeys(decoder, known: CodingKeys.allCases.map(\.rawValue), in: "tls.")
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            caFile: try container.decode(String.self, forKey: .caFile),
            certFile: try container.decode(String.self, forKey: .certFile),
            keyFile: try container.decode(String.self, forKey: .keyFile),
            crlFile: try container.decode(String.self, forKey: .crlFile)
        )
    }
}

extension AggregatorConfig.Storage {
    private enum CodingKeys: String, CodingKey, CaseIterable {
        case path, rawRetentionDays, aggregateRetentionDays, writeQueueBatches, batchesPerTransaction
    }

    public init(from decoder: any Decoder) throws {
        try refuseUnknownKeys(decoder, known: CodingKeys.allCases.map(\.rawValue), in: "storage.")
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        path = try container.decodeIfPresent(String.self, forKey: .path) ?? path
        rawRetentionDays = try container.decodeIfPresent(Int.self, forKey: .rawRetentionDays) ?? rawRetentionDays
        aggregateRetentionDays = try container.decodeIfPresent(Int.self, forKey: .aggregateRetentionDays) ?? aggregateRetentionDays
        writeQueueBatches = try container.decodeIfPresent(Int.self, forKey: .writeQueueBatches) ?? writeQueueBatches
        batchesPerTransaction = try container.decodeIfPresent(Int.self, forKey: .batchesPerTransaction) ?? batchesPerTransaction
    }
}

extension AggregatorConfig.Limits {
    private enum CodingKeys: String, CodingKey, CaseIterable {
        case maxBodyBytes, maxDecompressedBytes, maxCellsPerFrame, maxClockSkewS, maxConnections, requestTimeoutS, handshakeTimeoutS
    }

    public init(from decoder: any Decoder) throws {
        try refuseUnknownKeys(decoder, known: CodingKeys.allCases.map(\.rawValue), in: "limits.")
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        maxBodyBytes = try container.decodeIfPresent(Int.self, forKey: .maxBodyBytes) ?? maxBodyBytes
        maxDecompressedBytes = try container.decodeIfPresent(Int.self, forKey: .maxDecompressedBytes) ?? maxDecompressedBytes
        maxConnections = try container.decodeIfPresent(Int.self, forKey: .maxConnections) ?? maxConnections
        requestTimeoutS = try container.decodeIfPresent(Int.self, forKey: .requestTimeoutS) ?? requestTimeoutS
        maxCellsPerFrame = try container.decodeIfPresent(Int.self, forKey: .maxCellsPerFrame) ?? maxCellsPerFrame
        maxClockSkewS = try container.decodeIfPresent(Int.self, forKey: .maxClockSkewS) ?? maxClockSkewS
        handshakeTimeoutS = try container.decodeIfPresent(Int.self, forKey: .handshakeTimeoutS) ?? handshakeTimeoutS
    }
}
