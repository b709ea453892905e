import AdmKit
import AgentKit
import FoundationEssentials
import GridCore
import Testing

@Suite("Protection bench (v2g-adm protection respond)")
struct ProtectionBenchTests {
    /// Writes `text` to a fresh file under /tmp, hands its path to `body`, then removes it.
    static func withFile<T>(_ text: String, _ body: (String) throws -> T) throws -> T {
        let path = "/tmp/v2g-protection-bench-\(UInt32.random(in: 0...UInt32.max)).json"
        try Data(text.utf8).write(to: URL(filePath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try body(path)
    }

    static func bench(_ category: AbnormalCategory = .ii, periodS: Double = 0.1) throws -> ProtectionBench {
        try ProtectionBench.configured(category: category, cyclePeriodS: periodS)
    }

    @Test("one row per sample from the first row's time to the last's, each row holding until the next")
    func sampling() throws {
        let csv = """
            t_s,va_pu,vb_pu,vc_pu,f_hz
            0,1,1,1,60
            0.25,1.0,1.0,1.0,60
            1,1,1,1,60
            """
        let out = try Self.bench(periodS: 0.1).respond(csv: csv, fileName: "in.csv")
        let lines = out.split(separator: "\n")
        #expect(lines.first == "t_s,verdict,codes")
        #expect(lines.count == 12)
        #expect(lines[1] == "0,normal," && lines[4] == "0.3,normal," && lines[11] == "1,normal,")
    }

    @Test("a Category III momentary cessation of 0.5 s at 0.40 pu: no trip, output restored")
    func momentaryCessation() throws {
        let csv = """
            t_s,va_pu,vb_pu,vc_pu,f_hz
            0,1,1,1,60
            1.05,0.4,0.4,0.4,60
            1.55,1,1,1,60
            3,1,1,1,60
            """
        let rows = try Self.bench(.iii, periodS: 0.1).respond(to: try ProtectionBenchCSV.parse(csv, fileName: "in.csv"))
        let verdicts = rows.map(\.verdict)
        #expect(verdicts[0...10].allSatisfy { $0 == .normal })
        #expect(verdicts[11...15].allSatisfy { $0 == .momentaryCessation })
        #expect(verdicts[16...].allSatisfy { $0 == .normal })
        #expect(rows.allSatisfy { !$0.codes.contains { $0.isTrip } })
        #expect(rows[11].codes == [.momentaryCessation])
        // Category II at the same sag: UV2 trips once the 0.16 s ride-through has surely passed.
        let categoryII = try Self.bench(.ii, periodS: 0.1).respond(to: try ProtectionBenchCSV.parse(csv, fileName: "in.csv"))
        let trip = try #require(categoryII.firstIndex { $0.verdict == .cease })
        #expect(categoryII[trip].codes.contains(.tripUV2) && abs(categoryII[trip].timeS - 1.3) < 1e-9)
    }

    @Test("frozen rows repeat the last reading; missing rows deliver none")
    func meterConditions() throws {
        let csv = """
            t_s,va_pu,vb_pu,vc_pu,f_hz,meter
            0,1,1,1,60,live
            1,0.6,0.6,0.6,60,frozen
            20,1,1,1,60,missing
            25,1,1,1,60
            """
        let rows = try Self.bench(.ii, periodS: 1).respond(to: try ProtectionBenchCSV.parse(csv, fileName: "in.csv"))
        #expect(rows.count == 26)
        // The frozen meter shows the nominal reading it last had: frozen from the third identical sample on.
        #expect(rows[1].verdict == .normal && rows[2].verdict == .safe && rows[2].codes == [.dataFrozen])
        #expect(rows[20].codes == [.dataMissing])
        #expect(rows[25].verdict == .normal)
    }

    @Test("a frozen sag still trips UV1 through the bench")
    func frozenSag() throws {
        let csv = """
            t_s,va_pu,vb_pu,vc_pu,f_hz,meter
            0,1,1,1,60
            10.4,0.6,0.6,0.6,60
            11.5,0.6,0.6,0.6,60,frozen
            40,1,1,1,60,frozen
            """
        let rows = try Self.bench(.ii, periodS: 1).respond(to: try ProtectionBenchCSV.parse(csv, fileName: "in.csv"))
        let trip = try #require(rows.firstIndex { $0.codes.contains(.tripUV1) })
        #expect(rows[trip].timeS - 10.4 <= 10)
        #expect(rows[..<trip].contains { $0.verdict == .safe })
    }

    static let badInputs: [(String, String)] = [
        ("t_s,va_pu,vb_pu,vc_pu\n0,1,1,1\n", "in.csv:1: header must be"),
        ("t_s,va_pu,vb_pu,vc_pu,f_hz\n0,1,1,1,60\n0,1,1,1,60\n", "in.csv:3: t_s = 0.0 must be greater than the previous"),
        ("t_s,va_pu,vb_pu,vc_pu,f_hz\n0,1,1,1,60\n1,1,2.5,1,60\n", "in.csv:3: vb_pu = 2.5 is outside 0.0–2.0 pu"),
        ("t_s,va_pu,vb_pu,vc_pu,f_hz\n0,1,1,1,39\n", "in.csv:2: f_hz = 39 is outside 40.0–70.0 Hz"),
        ("t_s,va_pu,vb_pu,vc_pu,f_hz,meter\n0,1,1,1,60,stuck\n", "in.csv:2: meter \"stuck\" is not one of live, frozen, missing"),
        ("t_s,va_pu,vb_pu,vc_pu,f_hz\n0,1,1,nan,60\n", "in.csv:2: vc_pu \"nan\" is not a finite number"),
        ("t_s,va_pu,vb_pu,vc_pu,f_hz\n0,1,1,1\n", "in.csv:2: expected 5 fields"),
        ("# nothing\nt_s,va_pu,vb_pu,vc_pu,f_hz\n", "in.csv: no rows"),
    ]

    @Test("bad input: one line naming the file, the line and the reason", arguments: badInputs)
    func badInput(csv: String, message: String) throws {
        let error = try #require(throws: ProtectionBenchError.self) { try ProtectionBenchCSV.parse(csv, fileName: "in.csv") }
        #expect(error.message.hasPrefix(message), "\(error.message)")
        #expect(!error.message.contains("\n"))
    }

    @Test("an invalid policy is refused with the agent's own line", arguments: [
        #"{"transformer": {"nominal_hz": 50}, "trip": {"uf1": {"pickup": 58.5}}}"#,
        #"{"trip": {"category": "IV"}}"#,
        #"{"cycle_period_s": 20}"#,
        #"{"trip": {"uv1": {"clearing_time_s": 30}}}"#,
    ])
    func invalidPolicy(json: String) throws {
        try Self.withFile(json) { path in
            let agentLine = try #require(throws: ConfigFileError.self) { try ConfigFile.loadPolicy(path: path) }.description
            let benchError = try #require(throws: ProtectionBenchError.self) { try ProtectionBench.configured(policyPath: path) }
            #expect(benchError.message == agentLine)
            #expect(agentLine.hasPrefix(path + ": "))
        }
    }

    @Test("--category and --cycle-period override the policy's, and are checked like it")
    func overrides() throws {
        try Self.withFile(#"{"cycle_period_s": 2, "trip": {"category": "III", "uv1": {"clearing_time_s": 30}}}"#) { path in
            let bench = try ProtectionBench.configured(policyPath: path, cyclePeriodS: 0.5)
            #expect(bench.policy.cyclePeriodS == 0.5 && bench.policy.trip.category == .iii)
            // UV1 clearing in 30 s is a Category III setting: Category II refuses it, naming the field and range.
            let error = try #require(throws: ProtectionBenchError.self) {
                try ProtectionBench.configured(policyPath: path, category: .ii)
            }
            #expect(error.message.hasPrefix("\(path): line 1, column "), "\(error.message)")
            #expect(error.message.contains(": trip.uv1.clearing_time_s = 30 s is outside the allowed range 2–21 s"), "\(error.message)")
            let period = try #require(throws: ProtectionBenchError.self) { try ProtectionBench.configured(cyclePeriodS: 0.01) }
            #expect(period.message.contains("cycle_period_s"))
        }
    }

    @Test("the clearing notice names what the period cannot clear")
    func notice() throws {
        #expect(try Self.bench(.ii, periodS: 2.5).clearingNotice?.contains("OV1 (2 s)") == true)
    }
}
