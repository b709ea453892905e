public import EdgeCurl

/// `TLS_KEY_EXPOSED` while a TLS client key the agent is configured to use (uplink, policy fetch) may be read by group
/// or others. EdgeCurl refuses such a key at every request, so the link stops with a `tls_key_exposed` failure; this
/// alarm says why in the status, the textfile and the event log, and clears once the mode is fixed. Checked each
/// cycle: one stat(2) per key file.
public struct TLSKeyWatch: AlarmSource {
    public let keyFiles: [String]

    public init(keyFiles: [String]) {
        var unique: [String] = []
        for path in keyFiles where !unique.contains(path) { unique.append(path) }
        self.keyFiles = unique
    }

    public var alarmsInForce: [AgentStatus.Alarm] {
        let problems = keyFiles.compactMap(MutualTLSFiles.exposure(ofKeyFile:))
        guard !problems.isEmpty else { return [] }
        return [AgentStatus.Alarm(code: "TLS_KEY_EXPOSED", message: problems.joined(separator: "; ") + "; the link to the aggregator is stopped until it is fixed")]
    }
}
