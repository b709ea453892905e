/// Who a bundle is for: `*` (every agent), `group:NAME` (agents whose config lists that group), or an agent id.
public enum PolicyTarget: Sendable, Hashable, CustomStringConvertible {
    case everyAgent
    case group(String)
    case agent(String)

    /// The rule for agent ids and group names, for messages.
    public static let nameRule = "1–64 letters, digits, '-', '_' or '.'"

    /// Parses a selector; nil when the name breaks `nameRule`.
    public init?(selector: String) {
        if selector == "*" {
            self = .everyAgent
        } else if selector.hasPrefix("group:") {
            let name = String(selector.dropFirst("group:".count))
            guard Self.isValidName(name) else { return nil }
            self = .group(name)
        } else {
            guard Self.isValidName(selector) else { return nil }
            self = .agent(selector)
        }
    }

    /// Agent ids and group names: 1–64 ASCII letters, digits, '-', '_' or '.' (as the agent config allows).
    public static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 64 && name.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."): true
            default: false
            }
        }
    }

    public func matches(_ agent: AgentIdentity) -> Bool {
        switch self {
        case .everyAgent: true
        case .group(let name): agent.groups.contains(name)
        case .agent(let id): agent.id == id
        }
    }

    /// The selector as written in a bundle.
    public var description: String {
        switch self {
        case .everyAgent: "*"
        case .group(let name): "group:\(name)"
        case .agent(let id): id
        }
    }
}

/// The agent a bundle is checked for: its id (from its certificate and config) and the groups its config lists.
public struct AgentIdentity: Sendable, Hashable {
    public let id: String
    public let groups: [String]

    public init(id: String, groups: [String] = []) {
        self.id = id
        self.groups = groups
    }
}
