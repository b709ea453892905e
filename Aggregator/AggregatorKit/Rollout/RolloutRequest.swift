import FoundationEssentials
import PolicyTrust
public import StrictJSON

/// The body of `POST /v1/rollouts`:
/// `{"bundle": "<base64 of the DSSE bytes>", "canary": N, "waves": W, "soak_s": S, "max_failures": F, "agents": ["…"]}`.
/// Only `bundle` is required; `agents` (the rollout order, canary first) is needed when the bundle targets groups,
/// whose members the aggregator cannot know.
public struct RolloutRequest: Sendable, Hashable {
    public var bundle: [UInt8]
    public var canary: Int
    public var waves: Int
    public var soakS: Int
    public var maxFailures: Int
    public var agents: [String]?

    public static let defaults = (canary: 1, waves: 3, soakS: 300, maxFailures: 0)
    /// The bundle cap in base64, and room for the rest.
    public static let maxBytes = PolicyBundle.defaultMaxBytes * 4 / 3 + 64 * 1024 + RolloutPlan.maxAgents * 68

    public init(
        bundle: [UInt8], canary: Int = defaults.canary, waves: Int = defaults.waves, soakS: Int = defaults.soakS,
        maxFailures: Int = defaults.maxFailures, agents: [String]? = nil
    ) {
        self.bundle = bundle
        self.canary = canary
        self.waves = waves
        self.soakS = soakS
        self.maxFailures = maxFailures
        self.agents = agents
    }

    public init(parsing bytes: [UInt8]) throws(StrictJSONError) {
        let top = try StrictJSON.parse(bytes).object("")
        try top.refuseUnknownKeys(["bundle", "canary", "waves", "soak_s", "max_failures", "agents"])
        let bundleNode = try top.require("bundle")
        let text = try bundleNode.string("bundle")
        do throws(CanonicalBase64.Failure) { bundle = try CanonicalBase64.decode(text) } catch {
            throw .schema(line: bundleNode.line, field: "bundle", "not canonical base64: \(error.reason)")
        }
        canary = try top.optional("canary")?.int("canary", in: 1...RolloutPlan.maxAgents) ?? Self.defaults.canary
        waves = try top.optional("waves")?.int("waves", in: RolloutPlan.wavesRange) ?? Self.defaults.waves
        soakS = try top.optional("soak_s")?.int("soak_s", in: RolloutPlan.soakRangeS) ?? Self.defaults.soakS
        maxFailures = try top.optional("max_failures")?.int("max_failures", in: 0...RolloutPlan.maxAgents) ?? Self.defaults.maxFailures
        if let node = top.optional("agents") {
            var agents: [String] = []
            for (index, item) in try node.array("agents").enumerated() {
                let id = try item.string("agents[\(index)]")
                guard PolicyTarget.isValidName(id), id != ".", id != ".." else {
                    throw .schema(line: item.line, field: "agents[\(index)]", "\"\(id)\" is not an agent id (\(PolicyTarget.nameRule))")
                }
                agents.append(id)
            }
            self.agents = agents
        }
    }

    /// The body as JSON (what `v2g-adm rollout start` sends).
    public func encoded() -> [UInt8] {
        struct Wire: Encodable {
            let bundle: String
            let canary: Int
            let waves: Int
            let soak_s: Int
            let max_failures: Int
            let agents: [String]?
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let wire = Wire(
            bundle: CanonicalBase64.encode(bundle), canary: canary, waves: waves, soak_s: soakS, max_failures: maxFailures, agents: agents)
        return (try? Array(encoder.encode(wire))) ?? []
    }
}
