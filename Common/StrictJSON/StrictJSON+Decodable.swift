import FoundationEssentials

extension StrictJSON {
    /// Decodes `T` from a strictly parsed document (or from `node`, one value inside it), and refuses every key
    /// that `T` does not read: the value is encoded again and each key of the text must reappear at the same
    /// path, so a misspelt or misplaced key is never silently replaced by a default. `null` is refused (leave
    /// a key out for its default), and so are arrays longer than the type reads. Errors carry the line.
    public static func decodeExactly<T: Codable>(
        _ type: T.Type, from bytes: [UInt8], node: JSONNode? = nil, field: String = ""
    ) throws(StrictJSONError) -> T {
        let source: JSONNode
        if let node { source = node } else { source = try parse(bytes) }
        try source.refuseNulls(field)
        let value = try decode(type, from: bytes, node: source, field: field)
        let echo: JSONNode
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            echo = try parse([UInt8](try encoder.encode(value)))
        } catch {
            throw .schema(line: source.line, field: field, "cannot be encoded again to check its keys: \(error)")
        }
        try source.refuseKeys(notIn: echo, field: field)
        return value
    }

    /// Decodes `T` with Foundation's decoder after the strict parse; a decoding error is mapped to the line
    /// of the field it names.
    public static func decode<T: Decodable>(
        _ type: T.Type, from bytes: [UInt8], node: JSONNode? = nil, field: String = ""
    ) throws(StrictJSONError) -> T {
        let source: JSONNode
        if let node { source = node } else { source = try parse(bytes) }
        do {
            return try JSONDecoder().decode(T.self, from: Data(bytes[source.byteRange]))
        } catch let error as DecodingError {
            throw source.locate(error, field: field)
        } catch {
            throw .schema(line: source.line, field: field, "\(error)")
        }
    }
}

extension JSONNode {
    /// The node at `codingPath` below this one, or the deepest that exists, with its path text.
    func descend(_ codingPath: [any CodingKey], field: String) -> (node: JSONNode, field: String) {
        var node = self
        var path = field
        for key in codingPath {
            switch node.value {
            case .object(let members):
                guard let member = members.first(where: { $0.key == key.stringValue }) else { return (node, path) }
                node = member.node
                path = path.isEmpty ? key.stringValue : "\(path).\(key.stringValue)"
            case .array(let elements):
                guard let index = key.intValue, elements.indices.contains(index) else { return (node, path) }
                node = elements[index]
                path += "[\(index)]"
            default:
                return (node, path)
            }
        }
        return (node, path)
    }

    func locate(_ error: DecodingError, field: String) -> StrictJSONError {
        switch error {
        case .typeMismatch(let type, let context):
            let (node, path) = descend(context.codingPath, field: field)
            return .schema(line: node.line, field: path, "expected \(Self.describe(type)), found \(node.value.kind)")
        case .valueNotFound(let type, let context):
            let (node, path) = descend(context.codingPath, field: field)
            return .schema(line: node.line, field: path, "expected \(Self.describe(type)), found \(node.value.kind)")
        case .keyNotFound(let key, let context):
            let (node, path) = descend(context.codingPath, field: field)
            return .schema(line: node.line, field: path, "required key \"\(key.stringValue)\" is missing")
        case .dataCorrupted(let context):
            let (node, path) = descend(context.codingPath, field: field)
            return .schema(line: node.line, field: path, context.debugDescription)
        @unknown default:
            return .schema(line: line, field: field, "\(error)")
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is Double.Type, is Float.Type: "a number"
        case is Int.Type, is Int64.Type, is Int32.Type, is UInt.Type, is UInt64.Type: "an integer"
        case is Bool.Type: "true or false"
        case is String.Type: "a string"
        default: "\(type)"
        }
    }

    func refuseNulls(_ field: String) throws(StrictJSONError) {
        switch value {
        case .null:
            throw .schema(line: line, field: field, "null is not allowed: leave the key out to use its default")
        case .object(let members):
            for member in members {
                try member.node.refuseNulls(field.isEmpty ? member.key : "\(field).\(member.key)")
            }
        case .array(let elements):
            for (index, element) in elements.enumerated() { try element.refuseNulls("\(field)[\(index)]") }
        default:
            break
        }
    }

    /// Every key of this tree must exist at the same path in `echo`, and every array must have its length.
    func refuseKeys(notIn echo: JSONNode, field: String) throws(StrictJSONError) {
        switch (value, echo.value) {
        case (.object(let members), .object(let known)):
            for member in members {
                let path = field.isEmpty ? member.key : "\(field).\(member.key)"
                guard let match = known.first(where: { $0.key == member.key }) else {
                    let allowed = known.map(\.key).sorted().joined(separator: ", ")
                    throw .schema(line: member.node.line, field: path, "unknown key \"\(member.key)\"; allowed here: \(allowed)")
                }
                try member.node.refuseKeys(notIn: match.node, field: path)
            }
        case (.array(let elements), .array(let known)):
            guard elements.count == known.count else {
                throw .schema(line: line, field: field, "expected \(known.count) elements, found \(elements.count)")
            }
            for (index, element) in elements.enumerated() {
                try element.refuseKeys(notIn: known[index], field: "\(field)[\(index)]")
            }
        default:
            break
        }
    }
}
