/// Decoders for SunSpec register types. Multi-register values are big-endian (high word first), as SunSpec
/// requires. Every "not implemented" marker decodes to nil, never to a number.
public enum SunSpecDecode {
    /// int16; 0x8000 is not implemented.
    public static func int16(_ word: UInt16) -> Int16? {
        word == 0x8000 ? nil : Int16(bitPattern: word)
    }

    /// uint16 (also enum16, bitfield16); 0xFFFF is not implemented.
    public static func uint16(_ word: UInt16) -> UInt16? {
        word == 0xFFFF ? nil : word
    }

    /// int32; 0x80000000 is not implemented.
    public static func int32(_ high: UInt16, _ low: UInt16) -> Int32? {
        let bits = UInt32(high) << 16 | UInt32(low)
        return bits == 0x8000_0000 ? nil : Int32(bitPattern: bits)
    }

    /// uint32 (also enum32, bitfield32); 0xFFFFFFFF is not implemented.
    public static func uint32(_ high: UInt16, _ low: UInt16) -> UInt32? {
        let bits = UInt32(high) << 16 | UInt32(low)
        return bits == 0xFFFF_FFFF ? nil : bits
    }

    /// acc32: an accumulator; 0 is not implemented.
    public static func acc32(_ high: UInt16, _ low: UInt16) -> UInt32? {
        let bits = UInt32(high) << 16 | UInt32(low)
        return bits == 0 ? nil : bits
    }

    /// uint64 (acc64 when `zeroIsNotImplemented`); all ones (or 0 for acc64) is not implemented.
    public static func uint64(_ words: ArraySlice<UInt16>, zeroIsNotImplemented: Bool = false) -> UInt64? {
        guard words.count == 4 else { return nil }
        let bits = words.reduce(UInt64(0)) { $0 << 16 | UInt64($1) }
        if bits == .max || (zeroIsNotImplemented && bits == 0) { return nil }
        return bits
    }

    /// float32 (IEEE 754, high word first); NaN is not implemented, and an infinity is refused too.
    public static func float32(_ high: UInt16, _ low: UInt16) -> Float? {
        let value = Float(bitPattern: UInt32(high) << 16 | UInt32(low))
        return value.isFinite ? value : nil
    }

    /// string: UTF-8, two bytes per register, trailing NULs and spaces dropped; all-zero is not implemented.
    public static func string(_ words: ArraySlice<UInt16>) -> String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(words.count * 2)
        for word in words {
            bytes.append(UInt8(word >> 8))
            bytes.append(UInt8(word & 0xFF))
        }
        if let end = bytes.firstIndex(of: 0) { bytes.removeSubrange(end...) }
        while bytes.last == 0x20 { bytes.removeLast() }
        guard !bytes.isEmpty else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// sunssf: an int16 exponent. Not implemented (0x8000) or outside −10…10 decodes to nil, so that a garbage
    /// register can never turn into a wild number.
    public static func scaleFactor(_ word: UInt16) -> Int? {
        guard let exponent = int16(word), (-10...10).contains(exponent) else { return nil }
        return Int(exponent)
    }

    /// value = raw × 10^SF; nil when either part is nil or the SF lies outside −10…10.
    public static func scaled(_ raw: Int64?, scaleFactor: Int?) -> Double? {
        guard let raw, let scaleFactor, let factor = PowerOfTen.exact(scaleFactor) else { return nil }
        // Dividing by an exact 10^n rounds once, so 2301 × 10^−1 is exactly the double nearest 230.1.
        return scaleFactor < 0 ? Double(raw) / factor : Double(raw) * factor
    }
}

/// Exact powers of ten (10^0 … 10^10 are all exact doubles).
enum PowerOfTen {
    private static let table: [Double] = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10]

    /// 10^|exponent| for exponents in −10…10, else nil.
    static func exact(_ exponent: Int) -> Double? {
        guard (-10...10).contains(exponent) else { return nil }
        return table[abs(exponent)]
    }
}
