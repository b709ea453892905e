/// A strict reader for JSON that is signed, pinned or hand-edited (RFC 8259 with no leniency): UTF-8 only
/// (no byte order mark, no overlong or surrogate encodings), no duplicate keys, no trailing commas, no comments,
/// no leading zeros, no lone surrogate escapes, and a bounded depth. Every refusal names the line, the column
/// and what is wrong.
///
/// Lenient readers disagree on such texts (which of two duplicate keys wins, for one); a signed document that
/// two readers understand differently is a forgery waiting to happen, so here there is one reading or none.
public enum StrictJSON {
    /// Nesting deeper than this is refused; policies and roots are a few levels deep.
    public static let defaultMaxDepth = 64

    /// Parses a whole document: exactly one value, optionally surrounded by whitespace.
    public static func parse(_ bytes: [UInt8], maxDepth: Int = defaultMaxDepth) throws(StrictJSONError) -> JSONNode {
        var parser = JSONParser(bytes: bytes, maxDepth: maxDepth)
        return try parser.document()
    }
}

/// Recursive descent over the bytes; tracks the line so that every node and error can say where it is.
struct JSONParser {
    let bytes: [UInt8]
    let maxDepth: Int
    var index = 0
    var line = 1
    var lineStart = 0
    /// Keys and array indices from the document down to the value being read, for messages.
    var path: [String] = []

    init(bytes: [UInt8], maxDepth: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    mutating func document() throws(StrictJSONError) -> JSONNode {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { throw fail("a byte order mark is not allowed") }
        skipSpace()
        guard index < bytes.count else { throw fail("empty document: expected a JSON value") }
        let node = try value(depth: 0)
        skipSpace()
        guard index == bytes.count else { throw fail("unexpected \(describe(bytes[index])) after the end of the JSON value") }
        return node
    }

    /// An error at the current position; the column counts characters, not bytes.
    func fail(_ reason: String, at offset: Int? = nil) -> StrictJSONError {
        let end = min(offset ?? index, bytes.count)
        var column = 1
        var i = lineStart
        while i < end {
            if bytes[i] & 0xC0 != 0x80 { column += 1 }
            i += 1
        }
        return .syntax(line: line, column: column, reason)
    }

    /// An error at an offset read earlier, perhaps on an earlier line (a trailing comma is reported where it stands,
    /// the line to edit, not at the bracket after it).
    func failBefore(_ reason: String, at offset: Int) -> StrictJSONError {
        let place = position(of: offset)
        return .syntax(line: place.line, column: place.column, reason)
    }

    /// Line and column (in characters) of any offset already read; only error paths need it.
    func position(of offset: Int) -> (line: Int, column: Int) {
        var line = 1
        var column = 1
        for byte in bytes[0..<min(offset, bytes.count)] {
            if byte == 0x0A {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        return (line, column)
    }

    var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

    mutating func skipSpace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0D: index += 1
            case 0x0A:
                index += 1
                line += 1
                lineStart = index
            default: return
            }
        }
    }

    mutating func value(depth: Int) throws(StrictJSONError) -> JSONNode {
        guard let byte = peek else { throw fail("unexpected end of text: expected a value") }
        let start = index
        let startLine = line
        let value: JSONValue
        switch byte {
        case UInt8(ascii: "{"): value = try object(depth: depth)
        case UInt8(ascii: "["): value = try array(depth: depth)
        case UInt8(ascii: "\""): value = .string(try string())
        case UInt8(ascii: "t"): try literal("true"); value = .bool(true)
        case UInt8(ascii: "f"): try literal("false"); value = .bool(false)
        case UInt8(ascii: "n"): try literal("null"); value = .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): value = .number(try number())
        case UInt8(ascii: "/"): throw fail("comments are not JSON")
        default: throw fail("expected a value (object, array, string, number, true, false or null)")
        }
        return JSONNode(value: value, line: startLine, byteRange: start..<index)
    }

    mutating func object(depth: Int) throws(StrictJSONError) -> JSONValue {
        guard depth < maxDepth else { throw fail("nesting deeper than \(maxDepth) levels") }
        index += 1
        skipSpace()
        var members: [JSONMember] = []
        // Each key with where it was written, so that a duplicate can name the first one.
        var seen: [String: Int] = [:]
        if peek == UInt8(ascii: "}") {
            index += 1
            return .object(members)
        }
        while true {
            guard peek == UInt8(ascii: "\"") else { throw fail("expected a quoted key") }
            let keyStart = index
            let key = try string()
            // Swift compares strings by canonical equivalence, so "é" and "e\u0301" are one key here, as they
            // are to any Swift decoder reading the document afterwards.
            // The message names the key's whole path and where the first one stands: in a long file, "duplicate key
            // \"limits.request_timeout_s\" (first at line 4, column 5)" says which two lines disagree.
            if let first = seen[key] {
                let place = position(of: first)
                throw fail(
                    "duplicate key \"\(dotted(key))\" (first at line \(place.line), column \(place.column)): a reader would keep only one of the two values",
                    at: keyStart)
            }
            seen[key] = keyStart
            skipSpace()
            guard peek == UInt8(ascii: ":") else { throw fail("expected ':' after the key \"\(key)\"") }
            index += 1
            skipSpace()
            path.append(key)
            members.append(JSONMember(key: key, node: try value(depth: depth + 1)))
            path.removeLast()
            skipSpace()
            switch peek {
            case UInt8(ascii: ","):
                let comma = index
                index += 1
                skipSpace()
                if peek == UInt8(ascii: "}") { throw failBefore("trailing comma before '}'", at: comma) }
            case UInt8(ascii: "}"):
                index += 1
                return .object(members)
            case nil: throw fail("unexpected end of text: the object is not closed")
            default: throw fail("expected ',' or '}' after the value of \"\(key)\"")
            }
        }
    }

    mutating func array(depth: Int) throws(StrictJSONError) -> JSONValue {
        guard depth < maxDepth else { throw fail("nesting deeper than \(maxDepth) levels") }
        index += 1
        skipSpace()
        var elements: [JSONNode] = []
        if peek == UInt8(ascii: "]") {
            index += 1
            return .array(elements)
        }
        while true {
            path.append("[\(elements.count)]")
            elements.append(try value(depth: depth + 1))
            path.removeLast()
            skipSpace()
            switch peek {
            case UInt8(ascii: ","):
                let comma = index
                index += 1
                skipSpace()
                if peek == UInt8(ascii: "]") { throw failBefore("trailing comma before ']'", at: comma) }
            case UInt8(ascii: "]"):
                index += 1
                return .array(elements)
            case nil: throw fail("unexpected end of text: the array is not closed")
            default: throw fail("expected ',' or ']' after an array element")
            }
        }
    }

    mutating func literal(_ word: StaticString) throws(StrictJSONError) {
        let count = word.utf8CodeUnitCount
        let matches = index + count <= bytes.count
            && word.withUTF8Buffer { expected in expected.indices.allSatisfy { bytes[index + $0] == expected[$0] } }
        guard matches else { throw fail("expected \(word)") }
        index += count
    }

    /// RFC 8259 §6: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
    mutating func number() throws(StrictJSONError) -> String {
        let start = index
        if peek == UInt8(ascii: "-") { index += 1 }
        guard let first = peek, isDigit(first) else { throw fail("expected a digit") }
        index += 1
        if first == UInt8(ascii: "0"), let next = peek, isDigit(next) { throw fail("leading zero in a number") }
        skipDigits()
        if peek == UInt8(ascii: ".") {
            index += 1
            guard let next = peek, isDigit(next) else { throw fail("expected a digit after the decimal point") }
            skipDigits()
        }
        if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
            index += 1
            if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { index += 1 }
            guard let next = peek, isDigit(next) else { throw fail("expected a digit in the exponent") }
            skipDigits()
        }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    /// `key` below the current path, dotted as messages elsewhere write fields (`limits.max_body_bytes`, `a[0].b`).
    private func dotted(_ key: String) -> String {
        var text = ""
        for part in path + [key] {
            if !text.isEmpty, !part.hasPrefix("[") { text += "." }
            text += part
        }
        return text
    }

    /// A byte for a message: the character when printable ASCII, else its hex value.
    func describe(_ byte: UInt8) -> String {
        (0x21...0x7E).contains(byte) ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x\(String(byte, radix: 16, uppercase: true))"
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private mutating func skipDigits() {
        while let byte = peek, isDigit(byte) { index += 1 }
    }
}
