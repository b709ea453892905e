/// Typed reads of a parsed document. Each takes the field's path for its message, so that a refusal says
/// "line 7: roles.policy.threshold: expected an integer, found a string".
extension JSONNode {
    public func object(_ field: String) throws(StrictJSONError) -> JSONObject {
        guard case .object(let members) = value else { throw mismatch(field, expected: "an object") }
        return JSONObject(field: field, node: self, members: members)
    }

    public func array(_ field: String) throws(StrictJSONError) -> [JSONNode] {
        guard case .array(let elements) = value else { throw mismatch(field, expected: "an array") }
        return elements
    }

    public func string(_ field: String) throws(StrictJSONError) -> String {
        guard case .string(let text) = value else { throw mismatch(field, expected: "a string") }
        return text
    }

    public func bool(_ field: String) throws(StrictJSONError) -> Bool {
        guard case .bool(let flag) = value else { throw mismatch(field, expected: "true or false") }
        return flag
    }

    /// An integer written without fraction or exponent, within `range`.
    public func int(_ field: String, in range: ClosedRange<Int> = Int.min...Int.max) throws(StrictJSONError) -> Int {
        guard case .number(let text) = value else { throw mismatch(field, expected: "an integer") }
        guard let number = Int(text) else {
            throw .schema(line: line, field: field, "expected an integer (no fraction, exponent or overflow), found \(text)")
        }
        guard range.contains(number) else {
            throw .schema(line: line, field: field, "\(number) is outside the allowed range \(range.lowerBound)…\(range.upperBound)")
        }
        return number
    }

    /// A finite number.
    public func double(_ field: String) throws(StrictJSONError) -> Double {
        guard case .number(let text) = value else { throw mismatch(field, expected: "a number") }
        guard let number = Double(text), number.isFinite else {
            throw .schema(line: line, field: field, "\(text) is too large for a 64-bit float")
        }
        return number
    }

    func mismatch(_ field: String, expected: String) -> StrictJSONError {
        .schema(line: line, field: field, "expected \(expected), found \(value.kind)")
    }
}

/// An object of a parsed document, read key by key; its path prefixes every message.
public struct JSONObject: Sendable {
    /// The object's own path ("" for the document).
    public let field: String
    public let node: JSONNode
    public let members: [JSONMember]

    /// The path of one of this object's keys.
    public func path(_ key: String) -> String { field.isEmpty ? key : "\(field).\(key)" }

    public func optional(_ key: String) -> JSONNode? {
        members.first { $0.key == key }?.node
    }

    public func require(_ key: String) throws(StrictJSONError) -> JSONNode {
        guard let found = optional(key) else {
            throw .schema(line: node.line, field: field, "required key \"\(key)\" is missing")
        }
        return found
    }

    /// Refuses the first key not in `allowed`, naming it and the keys that are.
    public func refuseUnknownKeys(_ allowed: [String]) throws(StrictJSONError) {
        for member in members where !allowed.contains(member.key) {
            throw .schema(
                line: member.node.line, field: path(member.key),
                "unknown key \"\(member.key)\"; allowed: \(allowed.sorted().joined(separator: ", "))")
        }
    }
}
