/// The raw cells of one stored batch (one `sample_frames` row): row times, and one column per channel.
///
/// Only cells actually stored are in it (a cell already held for its channel and time is left out at ingest),
/// so no (channel, time) is in two frames of an agent and a frame never holds an empty row or column.
struct SampleFrame: Sendable, Hashable {
    /// Row times in ms, strictly increasing.
    var times: [Int64]
    var channels: [String]
    /// `columns[channel][row]` in quanta; nil = no cell.
    var columns: [[Int64?]]

    /// Drops the rows and the channels that hold no cell.
    init(times: [Int64], channels: [String], columns: [[Int64?]]) {
        let keptRows = times.indices.filter { row in columns.contains { $0[row] != nil } }
        var keptChannels: [String] = [], keptColumns: [[Int64?]] = []
        for (name, column) in zip(channels, columns) where column.contains(where: { $0 != nil }) {
            keptChannels.append(name)
            keptColumns.append(keptRows.count == times.count ? column : keptRows.map { column[$0] })
        }
        self.times = keptRows.count == times.count ? times : keptRows.map { times[$0] }
        self.channels = keptChannels
        self.columns = keptColumns
    }

    var firstMs: Int64? { times.first }
    var lastMs: Int64? { times.last }
    var cellCount: Int { columns.reduce(0) { total, column in total + column.reduce(0) { $0 + ($1 == nil ? 0 : 1) } } }

    /// The frame without its cells before `cutoffMs` (what raw retention keeps of a frame that straddles it).
    func dropping(before cutoffMs: Int64) -> SampleFrame {
        let from = times.firstIndex { $0 >= cutoffMs } ?? times.count
        return SampleFrame(times: Array(times[from...]), channels: channels, columns: columns.map { Array($0[from...]) })
    }

    /// Calls `body(channelIndex, timeMs, quanta)` for every cell, channel by channel, in time order.
    func forEachCell(_ body: (Int, Int64, Int64) throws -> Void) rethrows {
        for (channel, column) in columns.enumerated() {
            for (row, value) in column.enumerated() {
                if let value { try body(channel, times[row], value) }
            }
        }
    }
}

/// The blob layout, all integers LEB128 varints, signed ones zigzagged:
/// version (1), row count, first time, then time deltas; channel count; per channel: name length, UTF-8 name,
/// a presence bitmap of ⌈rows/8⌉ bytes (bit r of byte r/8 = row r has a cell), then each present value
/// as the delta from the previous present one (the first from 0).
extension SampleFrame {
    static let version: UInt64 = 1

    func encoded() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(16 + times.count * 2 + columns.count * (16 + times.count * 2))
        Self.put(Self.version, into: &out)
        Self.put(UInt64(times.count), into: &out)
        var previous: Int64 = 0
        for time in times {
            Self.put(Self.zigzag(time &- previous), into: &out)
            previous = time
        }
        Self.put(UInt64(channels.count), into: &out)
        for (name, column) in zip(channels, columns) {
            Self.put(UInt64(name.utf8.count), into: &out)
            out.append(contentsOf: name.utf8)
            var bitmap = [UInt8](repeating: 0, count: (times.count + 7) / 8)
            for (row, value) in column.enumerated() where value != nil { bitmap[row >> 3] |= 1 << UInt8(row & 7) }
            out.append(contentsOf: bitmap)
            var last: Int64 = 0
            for value in column {
                guard let value else { continue }
                Self.put(Self.zigzag(value &- last), into: &out)
                last = value
            }
        }
        return out
    }

    /// Decodes a blob written by `encoded()`; a malformed one is `storage.corrupt`.
    init(decoding bytes: [UInt8]) throws(TelemetryStoreError) {
        var reader = FrameReader(bytes: bytes)
        guard try reader.varint() == Self.version else { throw .corrupt("sample frame of an unknown version") }
        let rowCount = try reader.count(limit: bytes.count)
        var times: [Int64] = [], previous: Int64 = 0
        times.reserveCapacity(rowCount)
        for _ in 0..<rowCount {
            previous = previous &+ Self.unzigzag(try reader.varint())
            times.append(previous)
        }
        let channelCount = try reader.count(limit: bytes.count)
        var channels: [String] = [], columns: [[Int64?]] = []
        for _ in 0..<channelCount {
            let nameBytes = try reader.take(try reader.count(limit: bytes.count))
            channels.append(String(decoding: nameBytes, as: UTF8.self))
            let bitmap = Array(try reader.take((rowCount + 7) / 8))
            var column = [Int64?](repeating: nil, count: rowCount), last: Int64 = 0
            for row in 0..<rowCount where bitmap[row >> 3] & (1 << UInt8(row & 7)) != 0 {
                last = last &+ Self.unzigzag(try reader.varint())
                column[row] = last
            }
            columns.append(column)
        }
        guard reader.isAtEnd else { throw .corrupt("sample frame has \(bytes.count - reader.offset) trailing bytes") }
        self.times = times
        self.channels = channels
        self.columns = columns
    }

    static func zigzag(_ value: Int64) -> UInt64 { UInt64(bitPattern: (value << 1) ^ (value >> 63)) }
    static func unzigzag(_ value: UInt64) -> Int64 { Int64(bitPattern: value >> 1) ^ -Int64(bitPattern: value & 1) }

    static func put(_ value: UInt64, into out: inout [UInt8]) {
        var rest = value
        while rest >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        out.append(UInt8(rest))
    }
}

/// A bounds-checked cursor over a frame blob.
private struct FrameReader {
    let bytes: [UInt8]
    var offset = 0

    var isAtEnd: Bool { offset == bytes.count }

    mutating func varint() throws(TelemetryStoreError) -> UInt64 {
        var value: UInt64 = 0
        for shift in stride(from: UInt64(0), through: 63, by: 7) {
            guard offset < bytes.count else { throw .corrupt("sample frame ends inside a number") }
            let byte = bytes[offset]
            offset += 1
            value |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return value }
        }
        throw .corrupt("sample frame holds a number longer than 64 bits")
    }

    /// A varint used as a count, refused above `limit` (a corrupt blob must not allocate wildly).
    mutating func count(limit: Int) throws(TelemetryStoreError) -> Int {
        let value = try varint()
        guard value <= UInt64(limit) else { throw .corrupt("sample frame count \(value) exceeds \(limit)") }
        return Int(value)
    }

    mutating func take(_ count: Int) throws(TelemetryStoreError) -> ArraySlice<UInt8> {
        guard count <= bytes.count - offset else { throw .corrupt("sample frame ends inside a field") }
        defer { offset += count }
        return bytes[offset..<offset + count]
    }
}
