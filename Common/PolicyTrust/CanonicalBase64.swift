/// Base64 (RFC 4648 §4: standard alphabet, with padding) that has exactly one spelling per byte string.
///
/// Decoding refuses what lenient decoders let through: a missing or extra `=`, non-zero bits after the last
/// byte ("QQ==" is canonical, "QR==" decodes to the same byte and is refused), whitespace or line breaks, and
/// the URL-safe alphabet. With one spelling, a signed document's bytes cannot be varied without changing
/// what it says, and two readers never disagree on them.
public enum CanonicalBase64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    private static let values: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, char) in alphabet.enumerated() { table[Int(char)] = UInt8(index) }
        return table
    }()

    /// Why a text is not canonical base64.
    public struct Failure: Error, Sendable, Hashable, CustomStringConvertible {
        public let reason: String
        public var description: String { reason }
    }

    public static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var i = 0
        while i + 3 <= bytes.count {
            let n = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
            out += [alphabet[Int(n >> 18)], alphabet[Int(n >> 12 & 63)], alphabet[Int(n >> 6 & 63)], alphabet[Int(n & 63)]]
            i += 3
        }
        switch bytes.count - i {
        case 1:
            let n = UInt32(bytes[i]) << 16
            out += [alphabet[Int(n >> 18)], alphabet[Int(n >> 12 & 63)], UInt8(ascii: "="), UInt8(ascii: "=")]
        case 2:
            let n = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8
            out += [alphabet[Int(n >> 18)], alphabet[Int(n >> 12 & 63)], alphabet[Int(n >> 6 & 63)], UInt8(ascii: "=")]
        default:
            break
        }
        return String(decoding: out, as: UTF8.self)
    }

    public static func decode(_ text: String) throws(Failure) -> [UInt8] {
        let chars = Array(text.utf8)
        guard chars.count % 4 == 0 else {
            throw Failure(reason: "length \(chars.count) is not a multiple of 4 (missing padding, or truncated)")
        }
        var out: [UInt8] = []
        out.reserveCapacity(chars.count / 4 * 3)
        var quad = [UInt8](repeating: 0, count: 4)
        var i = 0
        while i < chars.count {
            let last = i + 4 == chars.count
            var padding = 0
            for j in 0..<4 {
                let char = chars[i + j]
                if char == UInt8(ascii: "=") {
                    guard last, j >= 2 else { throw Failure(reason: "'=' at offset \(i + j) before the end") }
                    padding += 1
                    quad[j] = 0
                    continue
                }
                guard padding == 0 else { throw Failure(reason: "'=' at offset \(i + j - 1) before the end") }
                let value = values[Int(char)]
                guard value != 0xFF else { throw Failure(reason: "\(describe(char)) at offset \(i + j) is not in the standard base64 alphabet") }
                quad[j] = value
            }
            let n = UInt32(quad[0]) << 18 | UInt32(quad[1]) << 12 | UInt32(quad[2]) << 6 | UInt32(quad[3])
            switch padding {
            case 0:
                out += [UInt8(n >> 16), UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF)]
            case 1:
                guard n & 0xFF == 0 else { throw Failure(reason: "non-zero bits after the last byte (not the canonical encoding)") }
                out += [UInt8(n >> 16), UInt8(n >> 8 & 0xFF)]
            default:
                guard n & 0xFFFF == 0 else { throw Failure(reason: "non-zero bits after the last byte (not the canonical encoding)") }
                out.append(UInt8(n >> 16))
            }
            i += 4
        }
        return out
    }

    private static func describe(_ char: UInt8) -> String {
        switch char {
        case UInt8(ascii: "-"), UInt8(ascii: "_"): "'\(Character(Unicode.Scalar(char)))' (URL-safe alphabet)"
        case 0x20, 0x09, 0x0A, 0x0D: "whitespace"
        case 0x21..<0x7F: "'\(Character(Unicode.Scalar(char)))'"
        default: "byte 0x\(String(char, radix: 16, uppercase: true))"
        }
    }
}
