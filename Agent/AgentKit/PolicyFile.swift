public import FoundationEssentials
public import GridCore

extension ConfigFile {
    /// Loads a policy file and checks every value against its allowed range.
    public static func loadPolicy(path: String) throws(ConfigFileError) -> ControlPolicy {
        try loadPolicyWithBytes(path: path).policy
    }

    /// The checked policy and the file's bytes, from one read (the cache keeps the bytes as received).
    public static func loadPolicyWithBytes(path: String) throws(ConfigFileError) -> (policy: ControlPolicy, bytes: [UInt8]) {
        let data = try read(path)
        let policy = try decode(ControlPolicy.self, from: data, path: path)
        do {
            try policy.validate()
        } catch {
            throw ConfigFileError(path: path, reason: error.description)
        }
        return (policy, [UInt8](data))
    }
}
