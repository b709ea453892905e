public import NIOSSL

/// Who a verified client certificate speaks for: an agent (`urn:v2g:agent:ID`) or an operator
/// (`urn:v2g:operator:NAME`), from its one `urn:v2g:` SAN URI; the CN is ignored (docs/provisioning.md).
public enum PeerIdentity: Sendable, Hashable, CustomStringConvertible {
    case agent(String)
    case `operator`(String)

    /// The SAN URI prefixes the deployment CA writes.
    public static let agentPrefix = "urn:v2g:agent:"
    public static let operatorPrefix = "urn:v2g:operator:"
    /// Every identity URI starts with this; a certificate carries exactly one such URI.
    static let namespace = "urn:v2g:"

    /// Same rule as `agent_id` in the agent's configuration (and operator names): `^[A-Za-z0-9._-]{1,64}$`, not `.` or `..`.
    public static func isValid(name id: String) -> Bool {
        guard (1...64).contains(id.utf8.count), id != ".", id != ".." else { return false }
        return id.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"):
                return true
            default:
                return false
            }
        }
    }

    /// The identity of `certificate`, or nil unless it carries exactly one `urn:v2g:` URI and that URI is a valid
    /// agent or operator one. Two identities (an agent URI beside an operator URI) are refused: a certificate
    /// never speaks for both, so an operator cannot pose as an agent nor an agent as an operator.
    public static func of(_ certificate: NIOSSLCertificate) -> PeerIdentity? {
        var uris: [String] = []
        for name in certificate._subjectAlternativeNames() where name.nameType == .uri {
            let uri = String(decoding: name.contents, as: UTF8.self)
            if uri.hasPrefix(namespace) { uris.append(uri) }
        }
        guard uris.count == 1, let uri = uris.first else { return nil }
        if uri.hasPrefix(agentPrefix) {
            let id = String(uri.dropFirst(agentPrefix.count))
            return isValid(name: id) ? .agent(id) : nil
        }
        if uri.hasPrefix(operatorPrefix) {
            let name = String(uri.dropFirst(operatorPrefix.count))
            return isValid(name: name) ? .operator(name) : nil
        }
        return nil
    }

    /// The agent id, nil for an operator.
    public var agentID: String? {
        if case .agent(let id) = self { return id }
        return nil
    }

    /// The operator's name, nil for an agent.
    public var operatorName: String? {
        if case .operator(let name) = self { return name }
        return nil
    }

    /// `agent:ID` or `operator:NAME`, as the audit log and the logs write it.
    public var description: String {
        switch self {
        case .agent(let id): "agent:\(id)"
        case .operator(let name): "operator:\(name)"
        }
    }
}
