public import GridCore

extension ConfigFile {
    /// Loads a policy file and checks every value against its allowed range.
    public static func loadPolicy(path: String) throws(ConfigFileError) -> ControlPolicy {
        let policy = try load(ControlPolicy.self, path: path)
        do {
            try policy.validate()
        } catch {
            throw ConfigFileError(path: path, reason: error.description)
        }
        return policy
    }
}
