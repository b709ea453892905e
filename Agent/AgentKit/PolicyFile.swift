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
        let (policy, layout) = try decodeWithLayout(ControlPolicy.self, from: data, path: path)
        do {
            try policy.validate()
        } catch {
            throw refusal(path: path, field: error.field, reason: error.description, layout: layout)
        }
        return (policy, [UInt8](data))
    }
}
