/// Appends LEB128 varints and raw bytes (the body's only building blocks).
struct ByteWriter {
    var bytes: [UInt8] = []

    mutating func byte(_ value: UInt8) { bytes.append(value) }

    mutating func bytes(_ values: some Sequence<UInt8>) { bytes.append(contentsOf: values) }

    /// Unsigned LEB128: 7 bits per byte, low group first, high bit set on all but the last byte.
    mutating func varint(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    mutating func signed(_ value: Int64) { varint(zigzag(value)) }

    mutating func uint32LE(_ value: UInt32) {
        for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }
}

/// Reads what `ByteWriter` wrote; every read is bounded and fails with a typed error, never traps.
struct ByteReader {
    private let bytes: [UInt8]
    private(set) var offset: Int
    /// Added to offsets in messages, so they count from the frame's start.
    private let base: Int

    init(_ bytes: [UInt8], offset: Int = 0, reportedBase: Int = 0) {
        self.bytes = bytes
        self.offset = offset
        self.base = reportedBase
    }

    var remaining: Int { bytes.count - offset }
    var isAtEnd: Bool { offset == bytes.count }

    mutating func byte(_ what: String) throws(TelemetryFrameError) -> UInt8 {
        guard offset < bytes.count else { throw .truncated(what, offset: base + offset) }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func bytes(_ count: Int, _ what: String) throws(TelemetryFrameError) -> ArraySlice<UInt8> {
        guard count >= 0, count <= remaining else { throw .truncated(what, offset: base + offset) }
        defer { offset += count }
        return bytes[offset..<offset + count]
    }

    /// At most 10 bytes, and the 10th may only carry the 64th bit: anything longer or larger overflows.
    mutating func varint(_ what: String) throws(TelemetryFrameError) -> UInt64 {
        let start = offset
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard offset < bytes.count else { throw .truncated(what, offset: base + offset) }
            let byte = bytes[offset]
            offset += 1
            if shift == 63 && byte > 1 { throw .varintOverflow(what, offset: base + start) }
            value |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return value }
            shift += 7
        }
    }

    mutating func signed(_ what: String) throws(TelemetryFrameError) -> Int64 { unzigzag(try varint(what)) }

    /// A varint that must be at most `limit` (a count or a length): checked before anything is allocated.
    mutating func count(_ what: String, limit: Int) throws(TelemetryFrameError) -> Int {
        let start = offset
        let value = try varint(what)
        guard value <= UInt64(limit) else {
            throw .badField("\(what) at offset \(base + start) is \(value), above the limit of \(limit)")
        }
        return Int(value)
    }

    mutating func uint32LE(_ what: String) throws(TelemetryFrameError) -> UInt32 {
        let raw = try bytes(4, what)
        return raw.reversed().reduce(0) { $0 << 8 | UInt32($1) }
    }
}

/// Zigzag maps signed to unsigned so small magnitudes of either sign make short varints (0, -1, 1, -2 → 0, 1, 2, 3).
@inline(__always) func zigzag(_ value: Int64) -> UInt64 {
    UInt64(bitPattern: (value << 1) ^ (value >> 63))
}

@inline(__always) func unzigzag(_ value: UInt64) -> Int64 {
    Int64(bitPattern: (value >> 1) ^ (0 &- (value & 1)))
}

/// Bytes a LEB128 varint of `value` takes.
@inline(__always) func varintSize(_ value: UInt64) -> Int {
    value == 0 ? 1 : (64 - value.leadingZeroBitCount + 6) / 7
}

/// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), as in zlib and PNG.
enum CRC32 {
    private static let table: [UInt32] = (0..<256).map { index in
        var crc = UInt32(index)
        for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        return crc
    }

    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        return ~crc
    }
}
