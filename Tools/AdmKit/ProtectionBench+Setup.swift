import AgentKit
public import GridCore

extension ProtectionBench {
    /// Builds a bench from a policy file (or the built-in policy), with `--category` and `--cycle-period` applied,
    /// then checks the result exactly as the agent checks a policy: a refusal is the agent's own line
    /// ("FILE: trip.uv1.pickup = 0.9 pu is outside …").
    public static func configured(
        policyPath: String? = nil, category: AbnormalCategory? = nil, cyclePeriodS: Double? = nil
    ) throws(ProtectionBenchError) -> ProtectionBench {
        func adjust(_ policy: inout ControlPolicy) {
            if let category { policy.trip.category = category }
            if let cyclePeriodS { policy.cyclePeriodS = cyclePeriodS }
        }
        guard let policyPath else {
            var policy = ControlPolicy.builtInSafeDefaults
            adjust(&policy)
            do {
                try policy.validate()
            } catch {
                throw .badPolicy(ConfigFileError(path: "built-in policy", reason: error.description).description)
            }
            return ProtectionBench(policy: policy)
        }
        let policy: ControlPolicy
        do {
            policy = try ConfigFile.policy(from: ConfigFile.read(policyPath), path: policyPath, adjust: adjust)
        } catch {
            throw .badPolicy(error.description)
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
