import AgentKit
public import GridCore

extension ProtectionBench {
    /// Builds a bench from a policy file (or the built-in policy), with `--category` and `--cycle-period` applied,
    /// then checks the result exactly as the agent checks a policy: a refusal is the agent's own line
    /// ("FILE: trip.uv1.pickup = 0.9 pu is outside …").
    public static func configured(
        policyPath: String? = nil, category: AbnormalCategory? = nil, cyclePeriodS: Double? = nil
    ) throws(ProtectionBenchError) -> ProtectionBench {
        var policy = ControlPolicy.builtInSafeDefaults
        let name = policyPath ?? "built-in policy"
        if let policyPath {
            do {
                // The agent's own loader: the same strict reading and checks, the same line on a refusal.
                policy = try ConfigFile.loadPolicy(path: policyPath)
            } catch {
                throw .badPolicy(error.description)
            }
        }
        if let category { policy.trip.category = category }
        if let cyclePeriodS { policy.cyclePeriodS = cyclePeriodS }
        do {
            try policy.validate()
        } catch {
            throw .badPolicy(ConfigFileError(path: name, reason: error.description).description)
        }
        return ProtectionBench(policy: policy)
    }

    /// Reads the input CSV (capped at 64 MiB like the curve bench's).
    public static func readInput(path: String) throws(ProtectionBenchError) -> String {
        do {
            return try CurveBench.readText(path: path)
        } catch {
            throw .unreadable(error.message)
        }
    }
}
