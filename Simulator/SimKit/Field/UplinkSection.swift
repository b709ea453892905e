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

    private init(fields: [String: Value]) {
        self.fields = fields
    }

    public func encode(to encoder: any Encoder) throws { try Value.object(fields).encode(to: encoder) }

    /// Stands for each agent's id in a section several agents share (a neighborhood's).
    public static let agentPlaceholder = "{agent_id}"

    /// The section for one agent: `{agent_id}` in any string value becomes `agentID`
    /// (`"cert_file": "/pki/agents/{agent_id}.crt"`).
    public func forAgent(_ agentID: String) -> UplinkSection {
        func substitute(_ value: Value) -> Value {
            switch value {
            case .string(let text): .string(text.replacing(Self.agentPlaceholder, with: agentID))
            case .array(let values): .array(values.map(substitute))
            case .object(let members): .object(members.mapValues(substitute))
            case .null, .bool, .number: value
            }
        }
        return UplinkSection(fields: fields.mapValues(substitute))
    }

    /// True when `cert_file` names `{agent_id}`: then each agent presents its own certificate (the aggregator
    /// takes an agent's identity from it).
    public var certificateNamesAgent: Bool {
        guard case .string(let path) = fields["cert_file"] else { return false }
        return path.contains(Self.agentPlaceholder)
    }
}
