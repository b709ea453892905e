/// A count and an order-independent checksum of telemetry cells, kept by the agent as it produces samples and
/// computed by the aggregator over what it stored: equal figures mean every sample arrived exactly once.
///
/// Each cell (time, channel, quanta) hashes to 64 bits; the checksum is their wrapping sum, so order and
/// batching do not matter, while a lost, doubled or altered cell changes it.
public struct TelemetryLedger: Sendable, Hashable, CustomStringConvertible {
    /// Non-empty cells counted.
    public var values: Int64
    /// Wrapping sum of the cells' hashes.
    public var checksum: UInt64

    public init(values: Int64 = 0, checksum: UInt64 = 0) {
        self.values = values
        self.checksum = checksum
    }

    /// Counts one stored value of `channel` at `timeMs`.
    public mutating func add(timeMs: Int64, channel: String, quanta: Int64) {
        values += 1
        checksum &+= Self.hash(timeMs: timeMs, channel: channel, quanta: quanta)
    }

    /// Folds another ledger in (e.g. one batch into the running total).
    public mutating func add(_ other: TelemetryLedger) {
        values += other.values
        checksum &+= other.checksum
    }

    /// `values=N checksum=16 hex digits`, the form both programs print.
    public var description: String {
        let hex = String(checksum, radix: 16)
        return "values=\(values) checksum=\(String(repeating: "0", count: 16 - hex.count))\(hex)"
    }

    /// FNV-1a over time (8 bytes LE), channel (UTF-8, then 0) and quanta (8 bytes LE), then the SplitMix64
    /// finalizer so that sums of nearby cells do not cancel.
    public static func hash(timeMs: Int64, channel: String, quanta: Int64) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ byte: UInt8) { h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        var time = UInt64(bitPattern: timeMs)
        for _ in 0..<8 { mix(UInt8(truncatingIfNeeded: time)); time >>= 8 }
        for byte in channel.utf8 { mix(byte) }
        mix(0)
        var value = UInt64(bitPattern: quanta)
        for _ in 0..<8 { mix(UInt8(truncatingIfNeeded: value)); value >>= 8 }
        h = (h ^ (h >> 30)) &* 0xbf58_476d_1ce4_e5b9
        h = (h ^ (h >> 27)) &* 0x94d0_49bb_1331_11eb
        return h ^ (h >> 31)
    }
}
