import AdmKit
import FoundationEssentials
import GridCore
import PolicyTrust
import Testing

@Suite struct PolicyToolTests {
    static let now = KeyDirectoryTests.now

    /// A key folder with a 1-of-1 policy role, and the path of its policy key.
    static func keys(_ scratch: borrowing TrustScratch) throws -> (directory: KeyDirectory, policyKey: String) {
        let directory = KeyDirectory(path: scratch.path + "/keys")
        let root = try directory.initialize(
            sizes: .init(keys: [.root: 1, .policy: 1, .envelope: 1], thresholds: [.root: 1, .policy: 1, .envelope: 1]),
            expires: KeyDirectoryTests.inAYear, now: now)
        let id = root.document.roles[.policy]!.keyIDs[0]
        return (directory, try directory.privateKeys()[id]!.path)
    }

    @Test func validateListsEveryProblemWithFieldValueAndRange() throws {
        let scratch = TrustScratch()
        let file = try scratch.write("p.json", #"{"cycle_period_s": 20, "thermal": {"hot_spot_limit_c": 130}, "write": {"ramp_kw_per_s": 0}}"#)
        let lines = PolicyTool.problems(in: Array(try Data(contentsOf: URL(filePath: file))), fileName: "p.json")
        #expect(lines == [
            "p.json: cycle_period_s = 20.0 is outside the allowed range 0.1…10.0",
            "p.json: thermal.hot_spot_limit_c = 130.0 is outside the allowed range 60.0…120.0",
            "p.json: write.ramp_kw_per_s = 0.0 is outside the allowed range 0.01…1000.0",
        ])
    }

    @Test func validateNamesTheLineOfASchemaError() {
        let text = "{\n  \"thermal\": {\n    \"hot_spot_limit\": 95\n  }\n}"
        #expect(PolicyTool.problems(in: Array(text.utf8), fileName: "p.json") == [
            "p.json:3: thermal.hot_spot_limit: unknown key \"hot_spot_limit\"; allowed: default_ambient_c, emergency_hot_spot_limit_c, horizon_min, hot_spot_limit_c, margin_k, parameters",
        ])
        #expect(PolicyTool.problems(in: Array("{\"version\": 1,}".utf8), fileName: "p.json") == ["p.json:1: trailing comma before '}'"])
        #expect(PolicyTool.problems(in: Array("{}".utf8), fileName: "p.json").isEmpty)
    }

    @Test func signThenVerifyAsTheAgentWould() throws {
        let scratch = TrustScratch()
        let (directory, key) = try Self.keys(scratch)
        let policy = try scratch.write("p.json", #"{"thermal": {"hot_spot_limit_c": 95}}"#)
        let out = scratch.path + "/b.json"
        let signed = try PolicyTool.sign(
            rootPath: directory.rootPath, policyPath: policy, version: 4, expires: Self.now + 86_400,
            targets: ["group:feeder-12"], keyPaths: [key], outPath: out, now: Self.now)
        #expect(signed.policy.thermal.hotSpotLimitC == 95)
        let agent = AgentIdentity(id: "tx-1", groups: ["feeder-12"])
        let accepted = try PolicyTool.verify(rootPath: directory.rootPath, bundlePath: out, agent: agent, installedVersion: 3, now: Self.now)
        #expect(accepted.accepted && accepted.line == "ACCEPTED version 4")
        let rollback = try PolicyTool.verify(rootPath: directory.rootPath, bundlePath: out, agent: agent, installedVersion: 4, now: Self.now)
        #expect(!rollback.accepted && rollback.line == "REFUSED ROLLBACK: bundle version 4 is not newer than the installed version 4")
        let other = try PolicyTool.verify(rootPath: directory.rootPath, bundlePath: out, agent: AgentIdentity(id: "tx-2"), installedVersion: 0, now: Self.now)
        #expect(other.line.hasPrefix("REFUSED WRONG_TARGET: "))
        let late = try PolicyTool.verify(rootPath: directory.rootPath, bundlePath: out, agent: agent, installedVersion: 0, now: Self.now + 86_400)
        #expect(late.line.hasPrefix("REFUSED EXPIRED: "))
    }

    @Test func signRefusesAnInvalidPolicyAndForeignKeys() throws {
        let scratch = TrustScratch()
        let (directory, key) = try Self.keys(scratch)
        let bad = try scratch.write("bad.json", #"{"volt_var": {"v_ref_pu": 1.0, "v1_pu": 0.7, "q1_pu": 0.44, "v2_pu": 0.98, "q2_pu": 0, "v3_pu": 1.02, "q3_pu": 0, "v4_pu": 1.08, "q4_pu": -0.44, "response_time_s": 5}}"#)
        let invalid = #expect(throws: TrustToolError.self) {
            try PolicyTool.sign(rootPath: directory.rootPath, policyPath: bad, version: 1, expires: Self.now + 60,
                                targets: ["*"], keyPaths: [key], outPath: scratch.path + "/b.json", now: Self.now)
        }
        #expect(invalid?.message.contains("volt_var.v1_pu = 0.7 is outside the allowed range 0.82…0.96") == true, "\(String(describing: invalid?.message))")
        #expect(!FileManager.default.fileExists(atPath: scratch.path + "/b.json"))

        let good = try scratch.write("good.json", "{}")
        let rootKey = try directory.privateKeys().first { $0.value.path.contains("/root-") }!.value.path
        let foreign = #expect(throws: TrustToolError.self) {
            try PolicyTool.sign(rootPath: directory.rootPath, policyPath: good, version: 1, expires: Self.now + 60,
                                targets: ["*"], keyPaths: [rootKey], outPath: scratch.path + "/b.json", now: Self.now)
        }
        #expect(foreign?.message.contains("UNKNOWN_KEY") == true, "\(String(describing: foreign?.message))")
    }

    @Test func diffShowsOldAndNewForPoliciesAndBundles() throws {
        let scratch = TrustScratch()
        let (directory, key) = try Self.keys(scratch)
        let a = try scratch.write("a.json", #"{"thermal": {"hot_spot_limit_c": 95}}"#)
        let b = try scratch.write("b.json", #"{"thermal": {"hot_spot_limit_c": 98}, "ev": {"minimum_soc_pct": 25}}"#)
        #expect(try PolicyTool.diff(oldPath: a, newPath: b) == [
            "ev.minimum_soc_pct: 20 → 25",
            "thermal.hot_spot_limit_c: 95 → 98",
        ])
        #expect(try PolicyTool.diff(oldPath: b, newPath: b).isEmpty)
        let bundle = scratch.path + "/b.bundle"
        _ = try PolicyTool.sign(rootPath: directory.rootPath, policyPath: b, version: 2, expires: Self.now + 60,
                                targets: ["*"], keyPaths: [key], outPath: bundle, now: Self.now)
        let lines = try PolicyTool.diff(oldPath: a, newPath: bundle)
        #expect(lines.contains("bundle.version: (absent) → 2") && lines.contains("version: 0 → 2") && lines.contains("thermal.hot_spot_limit_c: 95 → 98"), "\(lines)")
    }
}
