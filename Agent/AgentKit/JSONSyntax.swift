/// The agent's one reading of JSON syntax (RFC 8259), run before any decoding, and stricter than JSONDecoder: a
/// trailing comma, a key given twice in one object, an invalid number or escape, or bytes that are not UTF-8 are
/// refused with their line and column. A duplicated key matters most: a decoder keeps one of the two values
/// silently, so `"cycle_period_s": 1, "cycle_period_s": 0` would be read as whichever it kept.
///
/// It also records where every value stands (`Layout`), so that an error found later, by the decoder or by a range
/// check naming a field (`chargers[2].transport.tcp.port`), can point at the line to fix.
enum JSONSyntax {
    /// 1-based line and column (columns count characters, not bytes).
    struct Position: Sendable, Hashable, CustomStringConvertible {
        var line: Int
        var column: Int
        var description: String { "line \(line), column \(column)" }
    }

    struct Failure: Error, Sendable, CustomStringConvertible {
        var position: Position
        var message: String
        var description: String { "\(position): \(message)" }
    }

    /// Where each member and element of a checked text stands, by its path as `ConfigFile.describe` writes paths.
    struct Layout: Sendable {
        fileprivate var offsets: [String: Int] = [:]
        fileprivate let bytes: [UInt8]

        /// Where `path` stands, else its nearest enclosing value that does (a defaulted key points at its object).
        func position(of path: String) -> Position? {
            var path = path
            while true {
                if let offset = offsets[path] { return JSONSyntax.position(of: offset, in: bytes) }
                guard let cut = path.lastIndex(where: { $0 == "." || $0 == "[" }) else {
                    return offsets[""].map { JSONSyntax.position(of: $0, in: bytes) }
                }
                path = String(path[..<cut])
            }
        }
    }

    /// Checks `bytes`; returns where each value stands.
    static func check(_ bytes: [UInt8]) throws(Failure) -> Layout {
        if let bad = firstInvalidUTF8(bytes) { throw Failure(position: position(of: bad, in: bytes), message: "not valid UTF-8") }
        var scanner = Scanner(bytes: bytes)
        do throws(Scanner.Stop) {
            // A byte-order mark is allowed before the text (RFC 8259 §8.1 lets a parser ignore it).
            if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { scanner.index = 3 }
            scanner.skipSpace()
            guard scanner.index < bytes.count else { throw scanner.stop("the file is empty: expected a JSON value") }
            try scanner.value(path: "", depth: 0)
            scanner.skipSpace()
            if scanner.index < bytes.count { throw scanner.stop("unexpected text after the JSON value") }
            return scanner.layout
        } catch {
            throw Failure(position: position(of: error.offset, in: bytes), message: error.message)
        }
    }

    /// "line L, column C: what" for text that is not strict JSON; nil when it is.
    static func locate(_ bytes: [UInt8]) -> String? {
        do {
            _ = try check(bytes)
            return nil
        } catch {
            return error.description
        }
    }

    static func position(of offset: Int, in bytes: [UInt8]) -> Position {
        var line = 1
        var column = 1
        for byte in bytes[0..<min(offset, bytes.count)] {
            if byte == UInt8(ascii: "\n") { line += 1; column = 1 } else if byte & 0xC0 != 0x80 { column += 1 }
        }
        return Position(line: line, column: column)
    }

    private static func firstInvalidUTF8(_ bytes: [UInt8]) -> Int? {
        var offset = 0
        var iterator = bytes.makeIterator()
        var parser = Unicode.UTF8.ForwardParser()
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let scalar): offset += scalar.count
            case .emptyInput: return nil
            case .error: return offset
            }
        }
    }

    private struct Scanner {
        struct Stop: Error {
            var offset: Int
            var message: String
        }

        let bytes: [UInt8]
        var index = 0
        var layout: Layout

        init(bytes: [UInt8]) {
            self.bytes = bytes
            layout = Layout(bytes: bytes)
        }

        func stop(_ message: String, at offset: Int? = nil) -> Stop { Stop(offset: offset ?? index, message: message) }

        mutating func skipSpace() {
            while index < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[index]) { index += 1 }
        }

        mutating func value(path: String, depth: Int) throws(Stop) {
            guard depth < 512 else { throw stop("nesting too deep") }
            guard index < bytes.count else { throw stop("unexpected end of file") }
            if layout.offsets[path] == nil { layout.offsets[path] = index }
            switch bytes[index] {
            case UInt8(ascii: "{"): try object(path: path, depth: depth)
            case UInt8(ascii: "["): try array(path: path, depth: depth)
            case UInt8(ascii: "\""): _ = try string()
            case UInt8(ascii: "t"): try literal("true")
            case UInt8(ascii: "f"): try literal("false")
            case UInt8(ascii: "n"): try literal("null")
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try number()
            default: throw stop("expected a value (object, array, string, number, true, false or null)")
            }
        }

        mutating func object(path: String, depth: Int) throws(Stop) {
            index += 1
            skipSpace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1; return }
            var seen: [String: Int] = [:]
            while true {
                skipSpace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw stop("expected a quoted key") }
                let keyOffset = index
                let key = try string()
                if let first = seen[key] {
                    throw stop(
                        "duplicate key \"\(key)\" (first at \(JSONSyntax.position(of: first, in: bytes))): "
                            + "a decoder would keep only one of the two values", at: keyOffset)
                }
                seen[key] = keyOffset
                let member = path.isEmpty ? key : "\(path).\(key)"
                layout.offsets[member] = keyOffset
                skipSpace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw stop("expected ':' after the key") }
                index += 1
                skipSpace()
                try value(path: member, depth: depth + 1)
                if try separator(close: UInt8(ascii: "}")) { return }
            }
        }

        mutating func array(path: String, depth: Int) throws(Stop) {
            index += 1
            skipSpace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1; return }
            var count = 0
            while true {
                skipSpace()
                try value(path: "\(path)[\(count)]", depth: depth + 1)
                count += 1
                if try separator(close: UInt8(ascii: "]")) { return }
            }
        }

        /// After a member or element: true at the closing bracket, false after a comma that another value follows.
        mutating func separator(close: UInt8) throws(Stop) -> Bool {
            skipSpace()
            guard index < bytes.count else { throw stop("unexpected end of file") }
            if bytes[index] == close { index += 1; return true }
            guard bytes[index] == UInt8(ascii: ",") else { throw stop("expected ',' or '\(Character(Unicode.Scalar(close)))'") }
            let comma = index
            index += 1
            skipSpace()
            if index < bytes.count, bytes[index] == close {
                throw stop("trailing comma before '\(Character(Unicode.Scalar(close)))'", at: comma)
            }
            return false
        }

        /// Reads a string with its escapes (RFC 8259 §7) and returns its value.
        mutating func string() throws(Stop) -> String {
            index += 1
            var value: [UInt8] = []
            while index < bytes.count {
                let byte = bytes[index]
                switch byte {
                case UInt8(ascii: "\""):
                    index += 1
                    return String(decoding: value, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    try escape(into: &value)
                case 0..<0x20:
                    throw stop("control character inside a string (write it as an escape)")
                default:
                    value.append(byte)
                    index += 1
                }
            }
            throw stop("unterminated string")
        }

        mutating func escape(into value: inout [UInt8]) throws(Stop) {
            guard index + 1 < bytes.count else { throw stop("unterminated string") }
            let simple: [UInt8: UInt8] = [
                UInt8(ascii: "\""): 0x22, UInt8(ascii: "\\"): 0x5C, UInt8(ascii: "/"): 0x2F, UInt8(ascii: "b"): 0x08,
                UInt8(ascii: "f"): 0x0C, UInt8(ascii: "n"): 0x0A, UInt8(ascii: "r"): 0x0D, UInt8(ascii: "t"): 0x09,
            ]
            if let replacement = simple[bytes[index + 1]] {
                value.append(replacement)
                index += 2
                return
            }
            guard bytes[index + 1] == UInt8(ascii: "u") else { throw stop("invalid escape in a string") }
            var scalar = try hexQuad(at: index + 2)
            index += 6
            if (0xD800..<0xDC00).contains(scalar), index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") {
                let low = try hexQuad(at: index + 2)
                if (0xDC00..<0xE000).contains(low) {
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    index += 6
                }
            }
            value.append(contentsOf: Array(String(Unicode.Scalar(scalar).map(Character.init) ?? "\u{FFFD}").utf8))
        }

        func hexQuad(at offset: Int) throws(Stop) -> UInt32 {
            guard offset + 4 <= bytes.count, let number = UInt32(String(decoding: bytes[offset..<offset + 4], as: UTF8.self), radix: 16)
            else { throw stop("\\u must be followed by four hexadecimal digits", at: offset) }
            return number
        }

        mutating func literal(_ word: String) throws(Stop) {
            let expected = Array(word.utf8)
            guard index + expected.count <= bytes.count, Array(bytes[index..<index + expected.count]) == expected else {
                throw stop("expected \(word)")
            }
            index += expected.count
        }

        /// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
        mutating func number() throws(Stop) {
            func isDigit(_ offset: Int) -> Bool { offset < bytes.count && (0x30...0x39).contains(bytes[offset]) }
            if bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard isDigit(index) else { throw stop("expected a digit") }
            if bytes[index] == UInt8(ascii: "0") {
                index += 1
                if isDigit(index) { throw stop("a number may not have a leading zero") }
            } else {
                while isDigit(index) { index += 1 }
            }
            if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
                index += 1
                guard isDigit(index) else { throw stop("expected a digit after the decimal point") }
                while isDigit(index) { index += 1 }
            }
            if index < bytes.count, bytes[index] | 0x20 == UInt8(ascii: "e") {
                index += 1
                if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
                guard isDigit(index) else { throw stop("expected a digit in the exponent") }
                while isDigit(index) { index += 1 }
            }
        }
    }
}
