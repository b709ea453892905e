/// A minimal DER reader (ITU-T X.690 §8, definite lengths only): enough to walk an RFC 5280 §5.1 CertificateList
/// and find a CA certificate's subject and public key.
struct DERReader {
    /// One TLV: its tag byte, its content bytes, and the whole encoding (what a signature covers).
    struct Element {
        let tag: UInt8
        let content: ArraySlice<UInt8>
        let encoded: ArraySlice<UInt8>
    }

    private var bytes: ArraySlice<UInt8>

    init(_ bytes: ArraySlice<UInt8>) { self.bytes = bytes }

    var isAtEnd: Bool { bytes.isEmpty }
    var nextTag: UInt8? { bytes.first }

    /// Reads one element; refuses indefinite, over-long and truncated lengths (X.690 §10.1: DER is definite).
    mutating func read() throws -> Element {
        guard bytes.count >= 2 else { throw AggregatorError.crl("DER element truncated") }
        var index = bytes.startIndex
        let start = index
        let tag = bytes[index]
        guard tag & 0x1F != 0x1F else { throw AggregatorError.crl("DER multi-byte tags are not used in a CRL") }
        index += 1
        let first = bytes[index]
        index += 1
        var length = 0
        if first < 0x80 {
            length = Int(first)
        } else {
            let count = Int(first & 0x7F)
            guard (1...4).contains(count), bytes.endIndex - index >= count else {
                throw AggregatorError.crl("DER length of \(count) bytes is not supported or truncated")
            }
            for _ in 0..<count {
                length = length << 8 | Int(bytes[index])
                index += 1
            }
        }
        guard bytes.endIndex - index >= length else { throw AggregatorError.crl("DER content truncated (\(length) bytes announced)") }
        let content = bytes[index..<(index + length)]
        let encoded = bytes[start..<(index + length)]
        bytes = bytes[(index + length)...]
        return Element(tag: tag, content: content, encoded: encoded)
    }

    /// Reads one element and checks its tag.
    mutating func read(tag: UInt8, _ what: String) throws -> Element {
        let element = try read()
        guard element.tag == tag else {
            throw AggregatorError.crl("\(what): expected DER tag 0x\(String(tag, radix: 16)), found 0x\(String(element.tag, radix: 16))")
        }
        return element
    }
}

extension DERReader {
    static let sequence: UInt8 = 0x30
    static let set: UInt8 = 0x31
    static let integer: UInt8 = 0x02
    static let bitString: UInt8 = 0x03
    static let objectIdentifier: UInt8 = 0x06
    /// `[0] EXPLICIT` (a certificate's version).
    static let contextZero: UInt8 = 0xA0
    static let utcTime: UInt8 = 0x17
    static let generalizedTime: UInt8 = 0x18

    /// Seconds since the Unix epoch of a UTCTime (YYMMDDHHMMSSZ, RFC 5280 §4.1.2.5.1) or GeneralizedTime (YYYYMMDDHHMMSSZ).
    static func epochSeconds(of element: Element) throws -> Int64 {
        let text = Array(element.content)
        let digits: [Int]
        var year: Int
        switch element.tag {
        case utcTime where text.count == 13 && text.last == UInt8(ascii: "Z"):
            digits = try text.dropLast().map(digit)
            year = digits[0] * 10 + digits[1]
            year += year >= 50 ? 1900 : 2000  // RFC 5280 §4.1.2.5.1
        case generalizedTime where text.count == 15 && text.last == UInt8(ascii: "Z"):
            digits = try text.dropLast().map(digit)
            year = digits[0] * 1000 + digits[1] * 100 + digits[2] * 10 + digits[3]
        default:
            throw AggregatorError.crl("time is neither UTCTime nor GeneralizedTime in UTC")
        }
        let rest = Array(digits.suffix(10))
        let (month, day, hour, minute, second) =
            (rest[0] * 10 + rest[1], rest[2] * 10 + rest[3], rest[4] * 10 + rest[5], rest[6] * 10 + rest[7], rest[8] * 10 + rest[9])
        guard (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61 else {
            throw AggregatorError.crl("time field out of range")
        }
        return Int64(daysFromCivil(year: year, month: month, day: day)) * 86_400 + Int64(hour * 3600 + minute * 60 + second)
    }

    private static func digit(_ byte: UInt8) throws -> Int {
        guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { throw AggregatorError.crl("time holds a non-digit") }
        return Int(byte - UInt8(ascii: "0"))
    }

    /// Days since 1970-01-01 in the proleptic Gregorian calendar (H. Hinnant's days_from_civil).
    private static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
