/// A strict check of JSON text (RFC 8259) before it is decoded, with the line of every problem.
///
/// Foundation's decoder accepts a trailing comma and keeps one of two equal keys silently; in a configuration
/// either can hide a mistake (`"request_timeout_s": 30, "request_timeout_s": 0`). This reader refuses both, and
/// comments, and anything after the value; it records the line of every key so that later errors (an unknown
/// key, a value out of range) can name it too.
struct StrictJSONSyntax {
    /// What is wrong and where (1-based line and column).
    struct Failure: Error, Sendable, Equatable {
        var line: Int
        var column: Int
        var reason: String
    }

    /// Dotted key paths (`limits.max_body_bytes`; array elements as `[0]`) to the line the key is on.
    private(set) var keyLines: [String: Int] = [:]

    private let bytes: [UInt8]
    private var index = 0
    private var line = 1
    private var lineStart = 0
    private static let maxDepth = 64

    /// Checks `bytes`; throws the first problem found.
    init(checking bytes: [UInt8]) throws(Failure) {
        self.bytes = bytes
        skipWhitespace()
        try value(path: "", depth: 0)
        skipWhitespace()
        guard index == bytes.count else { throw failure("unexpected \(describe(bytes[index])) after the end of the JSON value") }
    }

    private func failure(_ reason: String) -> Failure {
        Failure(line: line, column: index - lineStart + 1, reason: reason)
    }

    private func describe(_ byte: UInt8) -> String {
        (0x21...0x7E).contains(byte) ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x\(String(byte, radix: 16))"
    }

    private mutating func skipWhitespace() {
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

    private mutating func value(path: String, depth: Int) throws(Failure) {
        guard depth < Self.maxDepth else { throw failure("nested deeper than \(Self.maxDepth) levels") }
        guard index < bytes.count else { throw failure("the text ends where a value should be") }
        switch bytes[index] {
        case UInt8(ascii: "{"): try object(path: path, depth: depth)
        case UInt8(ascii: "["): try array(path: path, depth: depth)
        case UInt8(ascii: "\""): _ = try string()
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try number()
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        case UInt8(ascii: "/"): throw failure("comments are not JSON")
        default: throw failure("unexpected \(describe(bytes[index])) where a value should be")
        }
    }

    private mutating func object(path: String, depth: Int) throws(Failure) {
        index += 1
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return
        }
        var seen: [String: Int] = [:]
        while true {
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
                if index < bytes.count, bytes[index] == UInt8(ascii: "}") { throw failure("trailing comma before '}'") }
                throw failure(index < bytes.count ? "expected a key in quotes, found \(describe(bytes[index]))" : "the text ends inside an object")
            }
            let keyLine = line
            let key = try string()
            let keyPath = path.isEmpty ? key : path + "." + key
            if let first = seen[key] {
                line = keyLine
                throw failure("duplicate key \"\(keyPath)\" (first on line \(first))")
            }
            seen[key] = keyLine
            keyLines[keyPath] = keyLine
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw failure("expected ':' after key \"\(keyPath)\"") }
            index += 1
            skipWhitespace()
            try value(path: keyPath, depth: depth + 1)
            skipWhitespace()
            guard index < bytes.count else { throw failure("the text ends inside an object") }
            switch bytes[index] {
            case UInt8(ascii: ","):
                index += 1
                skipWhitespace()
            case UInt8(ascii: "}"):
                index += 1
                return
            default: throw failure("expected ',' or '}' after the value of \"\(keyPath)\", found \(describe(bytes[index]))")
            }
        }
    }

    private mutating func array(path: String, depth: Int) throws(Failure) {
        index += 1
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return
        }
        var element = 0
        while true {
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") { throw failure("trailing comma before ']'") }
            try value(path: "\(path)[\(element)]", depth: depth + 1)
            element += 1
            skipWhitespace()
            guard index < bytes.count else { throw failure("the text ends inside an array") }
            switch bytes[index] {
            case UInt8(ascii: ","):
                index += 1
                skipWhitespace()
            case UInt8(ascii: "]"):
                index += 1
                return
            default: throw failure("expected ',' or ']' in an array, found \(describe(bytes[index]))")
            }
        }
    }

    /// A string's contents (escapes kept as written: keys with escapes are compared as spelled).
    private mutating func string() throws(Failure) -> String {
        let start = index + 1
        index += 1
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                defer { index += 1 }
                return String(decoding: bytes[start..<index], as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard index + 1 < bytes.count else { throw failure("the text ends inside a string") }
                let escape = bytes[index + 1]
                if escape == UInt8(ascii: "u") {
                    let hex = bytes[min(index + 2, bytes.count)..<min(index + 6, bytes.count)]
                    guard hex.count == 4, hex.allSatisfy({ UInt8(ascii: "0")...UInt8(ascii: "9") ~= $0 || UInt8(ascii: "a")...UInt8(ascii: "f") ~= $0 | 0x20 })
                    else { throw failure("\\u must be followed by four hex digits") }
                    index += 6
                } else {
                    guard Array("\"\\/bfnrt".utf8).contains(escape) else { throw failure("unknown escape \\\(describe(escape))") }
                    index += 2
                }
            case 0x00..<0x20: throw failure("a control character (\(describe(byte))) inside a string must be escaped")
            default: index += 1
            }
        }
        throw failure("the text ends inside a string")
    }

    private mutating func number() throws(Failure) {
        func digits(_ this: inout StrictJSONSyntax) -> Int {
            let start = this.index
            while this.index < this.bytes.count, UInt8(ascii: "0")...UInt8(ascii: "9") ~= this.bytes[this.index] { this.index += 1 }
            return this.index - start
        }
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        let leadingZero = index < bytes.count && bytes[index] == UInt8(ascii: "0")
        let integer = digits(&self)
        guard integer > 0 else { throw failure("a number needs digits") }
        guard !leadingZero || integer == 1 else { throw failure("numbers do not start with 0") }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard digits(&self) > 0 else { throw failure("a number needs digits after '.'") }
        }
        if index < bytes.count, bytes[index] | 0x20 == UInt8(ascii: "e") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard digits(&self) > 0 else { throw failure("a number needs digits in its exponent") }
        }
    }

    private mutating func literal(_ word: String) throws(Failure) {
        let expected = Array(word.utf8)
        guard bytes.count - index >= expected.count, Array(bytes[index..<index + expected.count]) == expected else {
            throw failure("unexpected \(describe(bytes[index])) where a value should be")
        }
        index += expected.count
    }
}
