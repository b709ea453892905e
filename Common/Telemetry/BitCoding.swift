/// Appends bits most significant first; the residual stream of a version-2 body.
struct BitWriter {
    private(set) var bytes: [UInt8] = []
    private var pending: UInt64 = 0
    private var pendingBits = 0

    /// The low `count` bits of `value` (count 0…64).
    mutating func bits(_ value: UInt64, count: Int) {
        guard count > 0 else { return }
        if count > 32 {
            bits(value >> 32, count: count - 32)
            bits(value & 0xFFFF_FFFF, count: 32)
            return
        }
        pending = pending << UInt64(count) | (value & (1 << UInt64(count) - 1))
        pendingBits += count
        while pendingBits >= 8 {
            pendingBits -= 8
            bytes.append(UInt8(truncatingIfNeeded: pending >> UInt64(pendingBits)))
        }
        pending &= (1 << UInt64(pendingBits)) - 1
    }

    /// `count` zero bits then a one.
    mutating func unary(_ count: Int) {
        var rest = count
        while rest > 32 {
            bits(0, count: 32)
            rest -= 32
        }
        bits(1, count: rest + 1)
    }

    /// The bytes, the last one padded with zero bits.
    mutating func finish() -> [UInt8] {
        if pendingBits > 0 { bits(0, count: 8 - pendingBits) }
        return bytes
    }
}

/// Reads what `BitWriter` wrote; every read is bounded by the bytes given and fails with a typed error.
struct BitReader {
    private let bytes: ArraySlice<UInt8>
    private var position = 0  // in bits from the start of `bytes`
    /// Frame offset of `bytes`' first byte, for messages.
    private let base: Int

    init(_ bytes: ArraySlice<UInt8>, reportedBase: Int) {
        self.bytes = bytes
        self.base = reportedBase
    }

    var remainingBits: Int { bytes.count * 8 - position }

    mutating func bit(_ what: String) throws(TelemetryFrameError) -> UInt64 {
        guard position < bytes.count * 8 else { throw .truncated(what, offset: base + bytes.count) }
        let byte = bytes[bytes.startIndex + position >> 3]
        defer { position += 1 }
        return UInt64(byte >> UInt8(7 - position & 7) & 1)
    }

    /// `count` bits (0…64) as an unsigned number, first bit most significant.
    mutating func bits(_ count: Int, _ what: String) throws(TelemetryFrameError) -> UInt64 {
        guard count <= remainingBits else { throw .truncated(what, offset: base + bytes.count) }
        var value: UInt64 = 0
        var left = count
        while left > 0 {
            let byte = UInt64(bytes[bytes.startIndex + position >> 3])
            let free = 8 - position & 7
            let take = min(free, left)
            value = value << UInt64(take) | (byte >> UInt64(free - take)) & ((1 << UInt64(take)) - 1)
            position += take
            left -= take
        }
        return value
    }

    /// Zero bits before the next one bit, at most `limit` (then the one is not read).
    mutating func zeros(upTo limit: Int, _ what: String) throws(TelemetryFrameError) -> Int {
        var count = 0
        while count < limit {
            if try bit(what) == 1 { return count }
            count += 1
        }
        return count
    }

    /// The stream must end here, with only zero padding left in its last byte.
    func checkEnd(_ what: String) throws(TelemetryFrameError) {
        let padding = remainingBits
        guard padding < 8 else { throw .trailing(padding / 8, after: what) }
        if padding > 0, let last = bytes.last, last & UInt8((1 << padding) - 1) != 0 {
            throw .badField("\(what) has non-zero padding bits")
        }
    }
}
