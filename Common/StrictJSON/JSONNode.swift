/// One JSON value read by `StrictJSON.parse`, with where it stands in the text.
public struct JSONNode: Sendable {
    public let value: JSONValue
    /// 1-based line of the value's first byte.
    public let line: Int
    /// The value's bytes in the parsed text (for an object or array, from the bracket to its match).
    public let byteRange: Range<Int>

    public init(value: JSONValue, line: Int, byteRange: Range<Int>) {
        self.value = value
        self.line = line
        self.byteRange = byteRange
    }
}

/// A JSON value. Numbers keep their text so that integers and decimals are read exactly as written.
public indirect enum JSONValue: Sendable {
    /// Members in the order written; keys are unique (the parser refuses duplicates).
    case object([JSONMember])
    case array([JSONNode])
    case string(String)
    /// The number as written, checked against the RFC 8259 grammar.
    case number(String)
    case bool(Bool)
    case null

    /// "an object", "a string", …: for messages.
    public var kind: String {
        switch self {
        case .object: "an object"
        case .array: "an array"
        case .string: "a string"
        case .number: "a number"
        case .bool: "true or false"
        case .null: "null"
        }
    }
}

/// One `"key": value` pair of an object.
public struct JSONMember: Sendable {
    public let key: String
    public let node: JSONNode

    public init(key: String, node: JSONNode) {
        self.key = key
        self.node = node
    }
}
