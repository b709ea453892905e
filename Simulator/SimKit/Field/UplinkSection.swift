internal import FoundationEssentials

/// An `uplink` section for the generated agent configuration, taken from a JSON file as it is: the simulator does
/// not interpret its keys (docs/uplink.md), the agent checks them when it loads the configuration.
public struct UplinkSection: Sendable, Hashable, Encodable {
    /// The section's JSON, re-encoded from what was read.
    indirect enum Value: Sendable, Hashable, Codable {
        case null
        case bool(Bool)
        case number(Double)
        case string(String)
        case array([Value])
        case object([String: Value])

        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if c.decodeNil() { self = .null }
            else if let value = try? c.decode(Bool.self) { self = .bool(value) }
            else if let value = try? c.decode(Double.self) { self = .number(value) }
            else if let value = try? c.decode(String.self) { self = .string(value) }
            else if let value = try? c.decode([Value].self) { self = .array(value) }
            else { self = .object(try c.decode([String: Value].self)) }
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.singleValueContainer()
            switch self {
            case .null: try c.encodeNil()
            case .bool(let value): try c.encode(value)
            case .number(let value):
                // Whole numbers stay integers: the agent reads ports and counts as Int.
                if value == value.rounded(), abs(value) < 1e15 { try c.encode(Int64(value)) } else { try c.encode(value) }
            case .string(let value): try c.encode(value)
            case .array(let value): try c.encode(value)
            case .object(let value): try c.encode(value)
            }
        }
    }

    let fields: [String: Value]

    /// Reads `path`: it must hold one JSON object.
    public init(path: String) throws(SimFieldError) {
        let value: Value
        do {
            value = try JSONDecoder().decode(Value.self, from: Data(contentsOf: URL(filePath: path)))
        } catch {
            throw .unreadable(path, "not readable as JSON: \(error)")
        }
        guard case .object(let fields) = value else { throw .unreadable(path, "must hold one JSON object (the uplink section)") }
        self.fields = fields
    }

    public func encode(to encoder: any Encoder) throws { try Value.object(fields).encode(to: encoder) }
}
