internal import EdgeZstd

/// Reads frames back into batches, refusing anything malformed with a `TelemetryFrameError` that names the reason.
///
/// Reads every version in `TelemetryFormat.readableVersions`: the current one, and version 1 from agents not yet
/// upgraded (docs/telemetry.md).
public struct TelemetryDecoder: Sendable {
    public var limits: TelemetryLimits
    private let dictionaries: [UInt32: TelemetryDictionary]

    /// `dictionaries`: every dictionary a frame may name; frames naming another are refused (`frame.dictionary`).
    public init(limits: TelemetryLimits = .init(), dictionaries: [TelemetryDictionary] = []) {
        self.limits = limits
        self.dictionaries = Dictionary(dictionaries.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    }

    public func decode(_ frame: [UInt8]) throws(TelemetryFrameError) -> TelemetryBatch {
        guard frame.count <= limits.maxFrameBytes else { throw .tooLarge(frame.count, limit: limits.maxFrameBytes) }
        var header = ByteReader(frame)
        let version = try header.byte("version byte")
        guard TelemetryFormat.readableVersions.contains(version) else { throw .badVersion(version) }
        let dictionaryID = try header.varint("dictionary id")
        guard dictionaryID <= UInt64(UInt32.max) else { throw .badField("dictionary id \(dictionaryID) exceeds 32 bits") }
        var shape: (channels: Int, rows: Int)?
        var shapeBytes: ArraySlice<UInt8> = []
        if version >= 2 {
            // The shape comes before the zstd frame: an oversized frame costs nothing to refuse.
            let start = header.offset
            let channels = try header.varint("channel count")
            let rows = try header.varint("row count")
            try limits.check(channels: channels, rows: rows)
            shape = (Int(channels), Int(rows))
            shapeBytes = frame[start..<header.offset]
        }
        let expectedCRC = try header.uint32LE("body CRC-32")
        let compressed = Array(try header.bytes(header.remaining, "zstd frame"))
        guard !compressed.isEmpty else { throw .truncated("zstd frame", offset: header.offset) }
        let body = try decompress(compressed, dictionaryID: UInt32(dictionaryID))
        let actualCRC = CRC32.checksum(Array(shapeBytes) + body)
        guard actualCRC == expectedCRC else { throw .checksum(expected: expectedCRC, actual: actualCRC) }
        return try parse(body, shape: shape)
    }

    private func decompress(_ compressed: [UInt8], dictionaryID: UInt32) throws(TelemetryFrameError) -> [UInt8] {
        var dictionary: TelemetryDictionary?
        if dictionaryID != 0 {
            guard let known = dictionaries[dictionaryID] else {
                throw .dictionary("frame needs dictionary id \(dictionaryID), which this decoder does not hold")
            }
            dictionary = known
        }
        let frameDictionaryID = Zstd.dictionaryID(ofFrame: compressed)
        guard frameDictionaryID == 0 || frameDictionaryID == dictionaryID else {
            throw .dictionary("header names dictionary id \(dictionaryID), the zstd frame \(frameDictionaryID)")
        }
        do {
            return try Zstd.decompress(compressed, maxDecompressedBytes: limits.maxBodyBytes, dictionary: dictionary?.zstd)
        } catch let error as ZstdError {
            switch error.kind {
            case .tooLarge: throw .bomb(limit: limits.maxBodyBytes)
            case .empty, .truncated: throw .truncated("zstd frame", offset: 0)
            case .trailingData: throw .trailing(error.reason)
            case .dictionaryMismatch: throw .dictionary(error.reason)
            default: throw .corrupt("zstd: \(error.description)")
            }
        } catch {
            throw .corrupt("zstd: \(error)")
        }
    }

    /// The body of a version-2 frame (`shape` from its header) or of a version-1 frame (`shape` nil: in the body).
    private func parse(_ body: [UInt8], shape: (channels: Int, rows: Int)?) throws(TelemetryFrameError) -> TelemetryBatch {
        var reader = ByteReader(body)
        let agentLength = try reader.count("agent id length", limit: TelemetryBatch.maxAgentIDBytes)
        let agentID = String(decoding: try reader.bytes(agentLength, "agent id"), as: UTF8.self)
        let sequence = try reader.varint("sequence")
        let startTimeMs = try reader.signed("start time")
        var (channelCount, rows) = shape ?? (0, 0)
        if shape == nil { (channelCount, rows) = try legacyShape(&reader) }
        let timing = try parseTiming(&reader, rows: rows)
        var channels: [ChannelSpec] = []
        for index in 0..<channelCount {
            let name: String
            if shape == nil {
                let length = try reader.count("name length of channel \(index)", limit: ChannelSpec.maxNameBytes)
                name = String(decoding: try reader.bytes(length, "name of channel \(index)"), as: UTF8.self)
            } else {
                name = try ChannelCodebook.read(from: &reader, channel: index)
            }
            do {
                channels.append(try ChannelSpec(name: name))
            } catch {
                throw .badField("channel \(index): \(error.message)")
            }
        }
        let columns = shape == nil
            ? try LegacyColumnCodec.decode(from: &reader, rows: rows, channels: channels)
            : try ColumnCodec.decode(from: &reader, rows: rows, channels: channels)
        guard reader.isAtEnd else { throw .trailing(reader.remaining, after: "body") }
        do {
            return try TelemetryBatch(
                agentID: agentID, sequence: sequence, startTimeMs: startTimeMs, timing: timing,
                channels: channels, columns: columns, rowCount: rows)
        } catch {
            throw .badField(error.message)
        }
    }

    /// Version 1 keeps the channel and row counts in the body: checked here, before any column is parsed.
    private func legacyShape(_ reader: inout ByteReader) throws(TelemetryFrameError) -> (Int, Int) {
        let channels = try reader.varint("channel count")
        guard channels <= UInt64(limits.maxChannels) else { throw .tooManyChannels(channels, limit: limits.maxChannels) }
        let rows = try reader.varint("row count")
        try limits.check(channels: channels, rows: rows)
        return (Int(channels), Int(rows))
    }

    private func parseTiming(_ reader: inout ByteReader, rows: Int) throws(TelemetryFrameError) -> RowTiming {
        let tag = try reader.byte("timing tag")
        switch tag {
        case TelemetryFormat.regularTiming:
            let interval = try reader.varint("interval")
            guard interval >= 1, interval <= UInt64(Int64.max) else { throw .badField("interval \(interval) ms is not 1…2^63-1") }
            return .regular(intervalMs: Int64(interval))
        case TelemetryFormat.explicitTiming:
            guard rows - 1 <= reader.remaining else { throw .truncated("time offsets", offset: reader.offset) }
            var offsets: [Int64] = rows > 0 ? [0] : []
            for row in 1..<max(rows, 1) {
                let delta = try reader.varint("time offset \(row)")
                let (next, overflow) = offsets[row - 1].addingReportingOverflow(Int64(truncatingIfNeeded: delta))
                guard delta >= 1, delta <= UInt64(Int64.max), !overflow else {
                    throw .badField("time offset \(row) advances by \(delta) ms (must be 1…2^63-1, no overflow)")
                }
                offsets.append(next)
            }
            return .explicit(offsetsMs: offsets)
        default:
            throw .badField("timing tag \(tag) is not 0 (regular) or 1 (explicit)")
        }
    }
}
