internal import EdgeZstd

/// Turns a batch into one version-2 frame: version, dictionary id, channel and row counts, CRC-32, then the body
/// in one zstd frame.
public struct TelemetryEncoder: Sendable {
    /// zstd level when no dictionary is used (a dictionary carries its own level).
    public var compressionLevel: Int32
    public var dictionary: TelemetryDictionary?
    public var limits: TelemetryLimits

    /// Level 19 by default: on a ~1 KB body it costs well under a millisecond.
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
        var shape = ByteWriter()
        shape.varint(UInt64(batch.channels.count))
        shape.varint(UInt64(batch.rowCount))
        var frame = ByteWriter()
        frame.byte(TelemetryFormat.version)
        frame.varint(UInt64(dictionary?.id ?? 0))
        frame.bytes(shape.bytes)
        frame.uint32LE(CRC32.checksum(shape.bytes + body))
        frame.bytes(compressed)
        guard frame.bytes.count <= limits.maxFrameBytes else {
            throw .batchLimit("frame is \(frame.bytes.count) bytes, above the limit of \(limits.maxFrameBytes)")
        }
        return frame.bytes
    }

    /// The uncompressed body (header, channel table, columns): what zstd sees, and what dictionaries train on.
    public func body(of batch: TelemetryBatch) throws(TelemetryFrameError) -> [UInt8] {
        do {
            try limits.check(channels: UInt64(batch.channels.count), rows: UInt64(batch.rowCount))
        } catch {
            throw .batchLimit(error.message)
        }
        var body = ByteWriter()
        body.bytes.reserveCapacity(64 + batch.channels.count * (8 + batch.rowCount))
        let agent = Array(batch.agentID.utf8)
        body.varint(UInt64(agent.count))
        body.bytes(agent)
        body.varint(batch.sequence)
        body.signed(batch.startTimeMs)
        switch batch.timing {
        case .regular(let intervalMs):
            body.byte(TelemetryFormat.regularTiming)
            body.varint(UInt64(intervalMs))
        case .explicit(let offsetsMs):
            body.byte(TelemetryFormat.explicitTiming)
            for index in offsetsMs.indices.dropFirst() { body.varint(UInt64(offsetsMs[index] - offsetsMs[index - 1])) }
        }
        for channel in batch.channels { ChannelCodebook.write(channel.name, into: &body) }
        ColumnCodec.encode(batch.columns, into: &body)
        guard body.bytes.count <= limits.maxBodyBytes else {
            throw .batchLimit("body is \(body.bytes.count) bytes, above the limit of \(limits.maxBodyBytes)")
        }
        return body.bytes
    }
}
