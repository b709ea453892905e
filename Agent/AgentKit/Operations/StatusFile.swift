import FoundationEssentials

/// The status file: replaced atomically each cycle, so `v2g-agent status` never reads half a file.
public struct StatusFile: Sendable {
    public let path: String

    public init(path: String) {
        self.path = path
    }

    /// Writes `status` as JSON (keys sorted, one per line, so that it also reads well with `cat`).
    public func write(_ status: AgentStatus) throws(LocalOutputError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let bytes: [UInt8]
        do {
            bytes = [UInt8](try encoder.encode(status)) + [UInt8(ascii: "\n")]
        } catch {
            throw .encoding("cannot encode the status: \(error)", path: path)
        }
        // 0640: operators read it as members of the agent's group.
        try AtomicFile.write(bytes, to: path, mode: AtomicFile.agentFileMode)
    }

    /// Reads the status the agent last wrote; errors name the file.
    public func read() throws(ConfigFileError) -> AgentStatus {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try ConfigFile.decodeWithLayout(AgentStatus.self, from: ConfigFile.read(path), path: path, decoder: decoder).value
    }
}
