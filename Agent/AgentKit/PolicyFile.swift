public import FoundationEssentials
public import GridCore
import PolicyTrust

extension ConfigFile {
    /// Loads a policy file and checks every value against its allowed range.
    public static func loadPolicy(path: String) throws(ConfigFileError) -> ControlPolicy {
        try loadPolicyWithBytes(path: path).policy
    }

    /// The checked policy and the file's bytes, from one read (the cache keeps the bytes as received).
    public static func loadPolicyWithBytes(path: String) throws(ConfigFileError) -> (policy: ControlPolicy, bytes: [UInt8]) {
        let data = try read(path)
        return (try policy(from: data, path: path), [UInt8](data))
    }

    /// Reads a policy exactly as a signed bundle's policy is read (`PolicyDocument`: no `null`, no key the policy does
    /// not define, at any depth), then checks its ranges; every refusal names the line and the field.
    /// `adjust` changes the decoded policy before its ranges are checked (`v2g-adm protection respond`'s
    /// `--category` and `--cycle-period`), so that a refusal still points at the file's line.
    public static func policy(
        from data: Data, path: String, adjust: (inout ControlPolicy) -> Void = { _ in }
    ) throws(ConfigFileError) -> ControlPolicy {
        var (policy, layout) = try decodePolicy(from: data, path: path)
        adjust(&policy)
        try checkRanges(policy, path: path, layout: layout)
        return policy
    }

    /// The strict reading alone (a refusal here is MALFORMED; a range refusal, from `checkRanges`, OUT_OF_RANGE).
    static func decodePolicy(from data: Data, path: String) throws(ConfigFileError) -> (ControlPolicy, ConfigLayout) {
        let layout = try parse(data, path: path)
        do {
            return (try PolicyDocument.decode(layout.bytes, node: layout.root, field: ""), layout)
        } catch {
            throw refusal(path: path, error, layout: layout)
        }
    }

    static func checkRanges(_ policy: ControlPolicy, path: String, layout: ConfigLayout) throws(ConfigFileError) {
        do {
            try policy.validate()
        } catch {
            throw refusal(path: path, field: error.field, reason: error.description, layout: layout)
        }
    }
}
