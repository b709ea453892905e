import Foundation
import Testing

/// The programs themselves: `v2g-sim run --neighborhood` serving four transformers over Modbus on loopback, read by
/// `v2g-agent probe` through the configurations it wrote; and bad input given to every neighborhood command.
@Suite("v2g-sim --neighborhood as processes", .serialized)
struct NeighborhoodProcessTests {
    /// `$V2G_BIN_DIR` (scripts set it), else the debug build beside the sources.
    static let binDir = ProcessInfo.processInfo.environment["V2G_BIN_DIR"] ?? root + "/.build/debug"
    static var root: String {
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)
        return parts.joined(separator: "/")
    }
    static let example = root + "/examples/scenarios/neighborhood-evening.json"

    /// Runs a program to its end (killed after `timeoutS`): its status, stdout and stderr.
    static func run(_ program: String, _ arguments: [String], timeoutS: Double = 120) throws -> (status: Int32, out: String, err: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binDir + "/" + program)
        process.arguments = arguments
        let (out, err) = (Pipe(), Pipe())
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let pid = process.processIdentifier
        let watchdog = DispatchWorkItem { kill(pid, SIGKILL) }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeoutS, execute: watchdog)
        // Drain stderr beside stdout, so that neither pipe fills up and blocks the program.
        let errorText = LockedText()
        let reader = DispatchWorkItem { errorText.set(String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)) }
        DispatchQueue.global().async(execute: reader)
        let output = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        reader.wait()
        process.waitUntilExit()
        watchdog.cancel()
        return (process.terminationStatus, output, errorText.get())
    }

    final class LockedText: @unchecked Sendable {  // guarded by `lock`
        private let lock = NSLock()
        private var text = ""
        func set(_ value: String) { lock.withLock { text = value } }
        func get() -> String { lock.withLock { text } }
    }

    static func requirePrograms() throws {
        for program in ["v2g-sim", "v2g-agent"] {
            try #require(FileManager.default.isExecutableFile(atPath: binDir + "/" + program), "build \(program) first (\(binDir))")
        }
    }

    static func scratch() throws -> String {
        let path = NSTemporaryDirectory() + "v2g-neighborhood-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    struct Probe: Decodable {
        struct Temperatures: Decodable { var answered: Bool; var ambient_c: Double? }
        struct Meter: Decodable { var answered: Bool }
        struct Charger: Decodable { var id: String; var online: Bool }
        var agent_id: String
        var all_answered: Bool
        var meter: Meter
        var temperatures: Temperatures?
        var chargers: [Charger]
    }

    static func probe(_ config: String) throws -> Probe {
        let result = try run("v2g-agent", ["probe", "--config", config, "--json"], timeoutS: 60)
        #expect(result.status == 0, "probe \(config): \(result.err)")
        return try JSONDecoder().decode(Probe.self, from: Data(result.out.utf8))
    }

    @Test("four transformers served at once: v2g-agent probe reads each through its own configuration; the control file heats one")
    func servesEveryTransformer() throws {
        try Self.requirePrograms()
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let uplink = "{\"base_url\": \"https://127.0.0.1:9\", \"cert_file\": \"\(dir)/pki/{agent_id}.crt\", \"key_file\": \"\(dir)/pki/{agent_id}.key\"}"
        try Data(uplink.utf8).write(to: URL(filePath: dir + "/uplink.json"))
        let sim = Process()
        sim.executableURL = URL(fileURLWithPath: Self.binDir + "/v2g-sim")
        sim.arguments = [
            "run", "--neighborhood", Self.example, "--base-port", "0", "--acceleration", "10", "--duration-s", "7200",
            "--agent-config-dir", dir + "/agents", "--clock-file", dir + "/clock.json", "--metrics-out", dir + "/report.json",
            "--control-file", dir + "/control.json", "--policy", Self.root + "/examples/policy/default.json", "--cycle-period", "2",
            "--agent-uplink", dir + "/uplink.json",
        ]
        sim.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        let stderr = Pipe()
        sim.standardError = stderr
        try sim.run()
        let simPID = sim.processIdentifier
        let watchdog = DispatchWorkItem { kill(simPID, SIGKILL) }
        DispatchQueue.global().asyncAfter(deadline: .now() + 600, execute: watchdog)
        defer {
            if sim.isRunning { kill(simPID, SIGKILL) }
            watchdog.cancel()
        }
        let agents = ["agent-elm", "agent-oak", "agent-ash", "agent-birch"]
        let configs = agents.map { dir + "/agents/\($0).json" }
        let deadline = Date().addingTimeInterval(120)
        while !(configs + [dir + "/clock.json"]).allSatisfy(FileManager.default.fileExists(atPath:)), Date() < deadline, sim.isRunning {
            Thread.sleep(forTimeInterval: 0.2)
        }
        try #require(sim.isRunning, "v2g-sim stopped: \(String(decoding: stderr.fileHandleForReading.availableData, as: UTF8.self))")

        let chargers = [12, 14, 8, 10]
        var ambientBefore: Double?
        for (index, config) in configs.enumerated() {
            let probe = try Self.probe(config)
            #expect(probe.agent_id == agents[index])
            #expect(probe.all_answered && probe.meter.answered && probe.temperatures?.answered == true, "\(config)")
            #expect(probe.chargers.count == chargers[index] && probe.chargers.allSatisfy(\.online))
            if agents[index] == "agent-ash" { ambientBefore = probe.temperatures?.ambient_c }
            // Each agent presents its own certificate.
            let text = String(decoding: try Data(contentsOf: URL(filePath: config)), as: UTF8.self)
            #expect(text.contains("\(agents[index]).crt") && !text.contains("{agent_id}"))
        }
        #expect(Set(configs.map { String(decoding: (try? Data(contentsOf: URL(filePath: $0))) ?? Data(), as: UTF8.self) }).count == 4)
        // Each agent has its own copy of --policy, with its own transformer's nameplate: one file for a 75 kVA and a
        // 160 kVA transformer would regulate both against the wrong rating.
        struct Named: Decodable { var policy_file: String }
        struct Nameplate: Decodable { struct Transformer: Decodable { var rated_kva: Double }; var transformer: Transformer }
        for (agent, ratedKVA) in zip(agents, [100.0, 160, 75, 100]) {
            let named = try JSONDecoder().decode(Named.self, from: Data(contentsOf: URL(filePath: dir + "/agents/\(agent).json")))
            #expect(named.policy_file == dir + "/agents/\(agent).policy.json")
            let policy = try JSONDecoder().decode(Nameplate.self, from: Data(contentsOf: URL(filePath: named.policy_file)))
            #expect(policy.transformer.rated_kva == ratedKVA, "\(agent): \(policy.transformer.rated_kva) kVA")
        }

        // Heat tx-ash through the control file; its temperature block shows the new ambient.
        let before = try #require(ambientBefore)
        try Data("{\"ambient\": {\"tx-ash\": {\"rise_k\": 15}}}".utf8).write(to: URL(filePath: dir + "/control.json"), options: .atomic)
        var after = before
        let heatDeadline = Date().addingTimeInterval(60)
        while after < before + 14, Date() < heatDeadline {
            Thread.sleep(forTimeInterval: 0.5)
            after = try Self.probe(configs[2]).temperatures?.ambient_c ?? before
        }
        #expect(after >= before + 14 && after <= before + 16, "ambient \(before) → \(after) °C")

        kill(simPID, SIGTERM)
        sim.waitUntilExit()
        #expect(sim.terminationStatus == 0)
        struct Report: Decodable {
            struct Change: Decodable { var transformer: String; var rise_k: Double? }
            struct Figures: Decodable { var transformers: [String: [String: AnyDecodable]] }
            var transformers: [String: [String: AnyDecodable]]
            var ambient_changes: [Change]
            var figures: Figures
        }
        let report = try JSONDecoder().decode(Report.self, from: Data(contentsOf: URL(filePath: dir + "/report.json")))
        #expect(Set(report.transformers.keys) == ["tx-elm", "tx-oak", "tx-ash", "tx-birch"])
        #expect(Set(report.figures.transformers.keys) == Set(report.transformers.keys))
        #expect(report.ambient_changes.map(\.transformer) == ["tx-ash"] && report.ambient_changes.first?.rise_k == 15)
    }

    /// Any JSON value, to read a report's keys without its whole shape.
    struct AnyDecodable: Decodable {
        init(from decoder: any Decoder) throws {}
    }

    /// (arguments, with {dir} for the scratch folder; the file the line must name; a phrase it must contain)
    static let badInput: [([String], String, String)] = [
        (["run", "--neighborhood", "{dir}/bad.json", "--base-port", "0"], "{dir}/bad.json", "transformers[1].scenario.chargers[0].rated_charge_kw"),
        (["rehearse", "--neighborhood", "{dir}/bad.json"], "{dir}/bad.json", "transformers[1].scenario.chargers[0].rated_charge_kw"),
        (["baseline", "--neighborhood", "{dir}/bad.json"], "{dir}/bad.json", "transformers[1].scenario.chargers[0].rated_charge_kw"),
        (["baseline", "--neighborhood", "{dir}/names-missing.json"], "{dir}/nowhere.json", "cannot read: No such file or directory"),
        (["run", "--neighborhood", "{dir}/good.json", "--base-port", "0", "--agent-config-dir", "{dir}/agents",
          "--agent-uplink", "{dir}/uplink.json"], "{dir}/uplink.json", "cert_file must contain {agent_id}"),
    ]

    @Test("bad input: one line naming the file and the field, exit status 1", arguments: badInput.indices)
    func badInputOneLine(index: Int) throws {
        try Self.requirePrograms()
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let good = String(decoding: try Data(contentsOf: URL(filePath: Self.example)), as: UTF8.self)
            .replacing("\"scenario_file\": \"elm-street.json\"", with: "\"scenario_file\": \"\(Self.root)/examples/scenarios/elm-street.json\"")
        let bad = good.replacing("\"rated_charge_kw\": 7.4", with: "\"rated_charge_kw\": 900", maxReplacements: 1)
        let missing = good.replacing("elm-street.json\"", with: "../nowhere.json\"").replacing("\(Self.root)/examples/scenarios/..", with: dir)
        for (name, text) in [("good.json", good), ("bad.json", bad), ("names-missing.json", missing),
                             ("uplink.json", "{\"base_url\": \"https://127.0.0.1:9\", \"cert_file\": \"/etc/v2g/agent.crt\"}")] {
            try Data(text.utf8).write(to: URL(filePath: dir + "/" + name))
        }
        let (template, named, phrase) = Self.badInput[index]
        let arguments = template.map { $0.replacing("{dir}", with: dir) }
        let result = try Self.run("v2g-sim", arguments, timeoutS: 60)
        let lines = result.err.split(separator: "\n")
        #expect(result.status == 1, "\(arguments): \(result.err)")
        #expect(lines.count == 1, "\(arguments): \(result.err)")
        #expect(result.err.hasPrefix("v2g-sim: \(named.replacing("{dir}", with: dir)): "), "\(result.err)")
        #expect(result.err.contains(phrase), "\(result.err)")
    }
}
