/// Encoders for SunSpec register types, the inverse of `SunSpecDecode`. They refuse NaN, infinities and values
/// that would collide with a "not implemented" marker, rather than writing a number the reader would misread.
public enum SunSpecEncode {
    /// raw = round(value / 10^SF). NaN and infinities are refused; −0 and values that round to 0 give exactly 0.
    public static func scaledRaw(_ value: Double, scaleFactor: Int, name: String) throws -> Int64 {
        guard value.isFinite else { throw SunSpecError.invalidValue(name, value) }
        guard let factor = PowerOfTen.exact(scaleFactor) else {
            throw SunSpecError.invalidScaleFactor(name, raw: UInt16(bitPattern: Int16(clamping: scaleFactor)))
        }
        let raw = (scaleFactor < 0 ? value * factor : value / factor).rounded()
        guard abs(raw) < 9.0e18 else { throw SunSpecError.valueOutOfRange(name, value, range: "a 64-bit register") }
        return raw == 0 ? 0 : Int64(raw)
    }

    /// The raw integer range a type can carry without hitting its "not implemented" marker.
    public static func range(of type: SunSpecPointType) -> ClosedRange<Int64>? {
        switch type {
        case .int16: -32767...32767
        case .sunssf: -10...10
        case .uint16, .enum16, .bitfield16: 0...0xFFFE
        case .int32: Int64(Int32.min) + 1...Int64(Int32.max)
        case .uint32, .enum32, .bitfield32: 0...0xFFFF_FFFE
        case .acc32: 0...0xFFFF_FFFF
        case .uint64, .acc64: 0...Int64.max
        case .pad, .float32, .string: nil
        }
    }

    /// Registers for an integer of `type` (big-endian words); throws when the value does not fit.
    public static func integer(_ raw: Int64, as type: SunSpecPointType, name: String) throws -> [UInt16] {
        guard let range = range(of: type) else {
            throw SunSpecError.valueOutOfRange(name, Double(raw), range: "an integer point (it is \(type))")
        }
        guard range.contains(raw) else {
            throw SunSpecError.valueOutOfRange(name, Double(raw), range: "raw \(range.lowerBound)...\(range.upperBound)")
        }
        let bits = UInt64(bitPattern: raw)
        return (0..<type.words).reversed().map { UInt16(truncatingIfNeeded: bits >> (16 * UInt64($0))) }
    }

    /// float32 registers, high word first; NaN and infinities are refused (NaN means "not implemented").
    public static func float32(_ value: Double, name: String) throws -> [UInt16] {
        let single = Float(value)
        guard single.isFinite else { throw SunSpecError.invalidValue(name, value) }
        let bits = single.bitPattern
        return [UInt16(bits >> 16), UInt16(bits & 0xFFFF)]
    }

    /// UTF-8 text in `words` registers, NUL padded; longer text is cut at a character boundary.
    public static func string(_ text: String, words: Int) -> [UInt16] {
        var bytes: [UInt8] = []
        for character in text {
            let encoded = Array(String(character).utf8)
            if bytes.count + encoded.count > words * 2 { break }
            bytes += encoded
        }
        bytes += Array(repeating: 0, count: words * 2 - bytes.count)
        return (0..<words).map { UInt16(bytes[2 * $0]) << 8 | UInt16(bytes[2 * $0 + 1]) }
    }
}
