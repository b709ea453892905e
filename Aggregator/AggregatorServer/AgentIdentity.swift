public import NIOSSL

/// The agent a client certificate speaks for: the id in its one `urn:v2g:agent:ID` SAN URI (docs/provisioning.md).
public enum AgentIdentity {
    /// The SAN URI prefix the deployment CA writes.
    public static let uriPrefix = "urn:v2g:agent:"

    /// Same rule as `agent_id` in the agent's configuration: `^[A-Za-z0-9._-]{1,64}$`, not `.` or `..`.
    public static func isValid(agentID id: String) -> Bool {
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

    /// The agent id of `certificate`, or nil unless exactly one valid `urn:v2g:agent:` URI is present (the CN is ignored).
    public static func agentID(of certificate: NIOSSLCertificate) -> String? {
        var ids: [String] = []
        for name in certificate._subjectAlternativeNames() where name.nameType == .uri {
            let uri = String(decoding: name.contents, as: UTF8.self)
            if uri.hasPrefix(uriPrefix) { ids.append(String(uri.dropFirst(uriPrefix.count))) }
        }
        guard ids.count == 1, let id = ids.first, isValid(agentID: id) else { return nil }
        return id
    }
}
