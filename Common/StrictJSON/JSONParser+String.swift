extension JSONParser {
    /// A quoted string, its escapes decoded; raw bytes must be well-formed UTF-8 (RFC 3629).
    mutating func string() throws(StrictJSONError) -> String {
        index += 1
        var decoded: [UInt8] = []
        var runStart = index
        var escaped = false
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                let run = bytes[runStart..<index]
                index += 1
                guard escaped else { return String(decoding: run, as: UTF8.self) }
                decoded.append(contentsOf: run)
                return String(decoding: decoded, as: UTF8.self)
            case UInt8(ascii: "\\"):
                decoded.append(contentsOf: bytes[runStart..<index])
                escaped = true
                try escape(into: &decoded)
                runStart = index
            case 0x00..<0x20:
                throw fail("control character U+\(hex4(UInt32(byte))) inside a string: write it as an escape")
            case 0x20..<0x80:
                index += 1
            default:
                index += try utf8SequenceLength()
            }
        }
        throw fail("unexpected end of text: the string is not closed")
    }

    /// One backslash escape (RFC 8259 §7), appended as UTF-8. A \u escape of a surrogate must be a proper pair.
    private mutating func escape(into decoded: inout [UInt8]) throws(StrictJSONError) {
        let start = index
        index += 1
        guard let letter = peek else { throw fail("unexpected end of text in an escape") }
        index += 1
        switch letter {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): decoded.append(letter)
        case UInt8(ascii: "b"): decoded.append(0x08)
        case UInt8(ascii: "f"): decoded.append(0x0C)
        case UInt8(ascii: "n"): decoded.append(0x0A)
        case UInt8(ascii: "r"): decoded.append(0x0D)
        case UInt8(ascii: "t"): decoded.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try hexQuad(escapeStart: start)
            if (0xDC00...0xDFFF).contains(scalar) { throw fail("lone low surrogate \\u\(hex4(scalar))", at: start) }
            if (0xD800...0xDBFF).contains(scalar) {
                let lowStart = index
                guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                    throw fail("high surrogate \\u\(hex4(scalar)) not followed by a low surrogate", at: start)
                }
                index += 2
                let low = try hexQuad(escapeStart: lowStart)
                guard (0xDC00...0xDFFF).contains(low) else {
                    throw fail("high surrogate \\u\(hex4(scalar)) not followed by a low surrogate", at: start)
                }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            }
            // Not a surrogate, so always a valid scalar.
            decoded.append(contentsOf: Array(String(Character(Unicode.Scalar(scalar)!)).utf8))
        default:
            throw fail("unknown escape \\\(Character(Unicode.Scalar(letter)))", at: start)
        }
    }

    private mutating func hexQuad(escapeStart: Int) throws(StrictJSONError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let byte = peek else { throw fail("unexpected end of text in a \\u escape") }
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw fail("a \\u escape needs four hex digits", at: escapeStart)
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }

    /// The length of the well-formed UTF-8 sequence at `index` (RFC 3629 §4), or an error naming the byte.
    private func utf8SequenceLength() throws(StrictJSONError) -> Int {
        let lead = bytes[index]
        let length: Int
        var secondRange: ClosedRange<UInt8> = 0x80...0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; secondRange = 0xA0...0xBF
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; secondRange = 0x80...0x9F
        case 0xF0: length = 4; secondRange = 0x90...0xBF
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; secondRange = 0x80...0x8F
        default: throw fail("invalid UTF-8 byte 0x\(String(lead, radix: 16, uppercase: true))")
        }
        guard index + length <= bytes.count else { throw fail("truncated UTF-8 sequence") }
        guard secondRange.contains(bytes[index + 1]) else { throw fail("invalid UTF-8 sequence") }
        for offset in 2..<max(length, 2) where !(0x80...0xBF).contains(bytes[index + offset]) {
            throw fail("invalid UTF-8 sequence")
        }
        return length
    }

    private func hex4(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
