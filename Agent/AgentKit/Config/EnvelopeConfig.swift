import GridCore

/// Where the agent finds the root of trust whose envelope role signs neighborhood envelopes (docs/envelopes.md).
public struct EnvelopeConfig: Sendable, Hashable, Codable {
    /// The signed root.json pinned at provisioning (a DSSE envelope signed by its own root keys).
    public var rootFile: String = "/etc/v2g/root.json"

    public init(rootFile: String = "/etc/v2g/root.json") { self.rootFile = rootFile }

    enum CodingKeys: String, CodingKey, CaseIterable { case rootFile = "root_file" }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        rootFile = try c.value(.rootFile, default: rootFile)
    }
}
