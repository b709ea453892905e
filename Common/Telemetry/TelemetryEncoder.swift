internal import EdgeZstd

/// Format constants; the byte layout is tabled in docs/telemetry.md.
public enum TelemetryFormat {
    /// The first byte of every frame. A decoder refuses versions it does not know.
    public static let version: UInt8 = 1
    /// Timing tags in the body.
    static let regularTiming: UInt8 = 0
    static let explicitTiming: UInt8 = 1
}

/// Hard limits a decoder enforces before it allocates; an encoder refuses batches that break them.
public struct TelemetryLimits: Sendable, Hashable {
    /// Largest frame accepted off the wire.
    public var maxFrameBytes: Int
    /// Largest body zstd may produce (a bomb stops here, not at the frame's claimed size).
    public var maxBodyBytes: Int
    public var maxChannels: Int
    public var maxRows: Int

    /// Defaults: 1 MiB frames, 8 MiB bodies, 256 channels, 3600 rows (an hour at 1 Hz, a minute at 100 ms ×10).
    public init(maxFrameBytes: Int = 1 << 20, maxBodyBytes: Int = 8 << 20, maxChannels: Int = 256, maxRows: Int = 3_600) {
        self.maxFrameBytes = maxFrameBytes
        self.maxBodyBytes = maxBodyBytes
        self.maxChannels = maxChannels
        self.maxRows = maxRows
    }
}

/// Turns a batch into one frame: version, dictionary id, CRC-32 of the body, then the body in one zstd frame.
public struct TelemetryEncoder: Sendable {
    /// zstd level when no dictionary is used (a dictionary carries its own level).
    public var compressionLevel: Int32
    public var dictionary: TelemetryDictionary?
    public var limits: TelemetryLimits

    /// Level 19 by default: on a ~2 KB body it costs well under a millisecond and gains a few percent over 3.
    public init(compressionLevel: Int32 = 19, dictionary: TelemetryDictionary? = nil, limits: TelemetryLimits = .init()) {
        self.compressionLevel = compressionLevel
        self.dictionary = dictionary
        self.limits = limits
    }

    /// The complete frame for `batch`, deterministic for a given batch, level and dictionary.
    public func encode(_ batch: TelemetryBatch) throws(TelemetryFrameError) -> [UInt8] {
        let body = try body(of: batch)
        let compressed: [UInt8]
        do {
            if let dictionary {
                compressed = try Zstd.compress(body, dictionary: dictionary.zstd)
            } else {
                compressed = try Zstd.compress(body, level: compressionLevel)
            }
        } catch {
            throw .compress("zstd could not compress a \(body.count)-byte body: \(error)")
        }
        var frame = ByteWriter()
        frame.byte(TelemetryFormat.version)
        frame.varint(UInt64(dictionary?.id ?? 0))
        frame.uint32LE(CRC32.checksum(body))
        frame.bytes(compressed)
        guard frame.bytes.count <= limits.maxFrameBytes else {
            throw .batchLimit("frame is \(frame.bytes.count) bytes, above the limit of \(limits.maxFrameBytes)")
        }
        return frame.bytes
    }

    /// The uncompressed body (header, channel table, columns): what zstd sees, and what dictionaries train on.
    public func body(of batch: TelemetryBatch) throws(TelemetryFrameError) -> [UInt8] {
        guard batch.channels.count <= limits.maxChannels else {
            throw .batchLimit("\(batch.channels.count) channels, the limit is \(limits.maxChannels)")
        }
        guard batch.rowCount <= limits.maxRows else {
            throw .batchLimit("\(batch.rowCount) rows, the limit is \(limits.maxRows)")
        }
        var body = ByteWriter()
        body.bytes.reserveCapacity(64 + batch.channels.count * (16 + batch.rowCount * 2))
        let agent = Array(batch.agentID.utf8)
        body.varint(UInt64(agent.count))
        body.bytes(agent)
        body.varint(batch.sequence)
        body.signed(batch.startTimeMs)
        body.varint(UInt64(batch.channels.count))
        body.varint(UInt64(batch.rowCount))
        switch batch.timing {
        case .regular(let intervalMs):
            body.byte(TelemetryFormat.regularTiming)
            body.varint(UInt64(intervalMs))
        case .explicit(let offsetsMs):
            body.byte(TelemetryFormat.explicitTiming)
            for index in offsetsMs.indices.dropFirst() { body.varint(UInt64(offsetsMs[index] - offsetsMs[index - 1])) }
        }
        for channel in batch.channels {
            let name = Array(channel.name.utf8)
            body.varint(UInt64(name.count))
            body.bytes(name)
        }
        ColumnCodec.encode(batch.columns, into: &body)
        guard body.bytes.count <= limits.maxBodyBytes else {
            throw .batchLimit("body is \(body.bytes.count) bytes, above the limit of \(limits.maxBodyBytes)")
        }
        return body.bytes
    }
}
