import Foundation
import PeerProcesses
import Testing

/// The `v2g-agent` program itself, given bad files: every error is one line on stderr naming the file and what is
/// wrong in it, never a Swift or Foundation error dump, and the exit status is 1.
@Suite("v2g-agent errors name the file and the problem")
struct AgentCLITests {
    /// The built program: `$V2G_BIN_DIR/v2g-agent` (scripts set it), else the debug build beside the sources.
    static let program = (ProcessInfo.processInfo.environment["V2G_BIN_DIR"] ?? CacheFixtures.root + "/.build/debug") + "/v2g-agent"

    /// Files to give the program, made once per test in a scratch directory.
    static func files(in dir: TemporaryDirectory) throws -> [String: String] {
        var files: [String: String] = [:]
        func write(_ name: String, _ bytes: [UInt8]) throws {
            files[name] = dir.file(name)
            try Data(bytes).write(to: URL(filePath: dir.file(name)))
        }
        try write("empty.json", [])
        try write("latin1.json", Array("{\"time\": 1, \"chargers\": [{\"id\": \"".utf8) + [0xE9, 0x74, 0xE9] + Array("\"}]}".utf8))
        try write("array.json", Array("[1, 2]".utf8))
        try write("duplicate.json", Array("{\"time\": 1,\n \"time\": 2, \"chargers\": []}".utf8))
        try write("dot-agent.json", Array("{\"agent_id\": \"..\", \"meter\": {\"transport\": {\"tcp\": {\"host\": \"m\"}}}}".utf8))
        try write("snapshot.json", Array("{\"time\": 1, \"chargers\": []}".utf8))
        files["directory"] = dir.path
        // A state directory that is a regular file: the telemetry queue cannot be opened below it.
        try write("blocked", Array("not a directory".utf8))
        files["blocked queue"] = dir.file("blocked") + "/telemetry.sqlite"
        try write("flush.json", Array("""
            {"agent_id": "tx-1", "state_directory": "\(dir.file("blocked"))", "meter": {"transport": {"tcp": {"host": "m"}}},
             "uplink": {"base_url": "https://127.0.0.1:9"}}
            """.utf8))
        return files
    }

    /// (arguments with file names in braces, the file the message must name, a phrase it must contain)
    static let cases: [([String], String, String)] = [
        (["status", "--status-file", "{empty.json}"], "empty.json", "the file is empty"),
        (["status", "--config", "{directory}"], "directory", "cannot read: Is a directory"),
        (["plan", "--snapshot", "{latin1.json}"], "latin1.json", "invalid UTF-8"),
        (["plan", "--snapshot", "{array.json}"], "array.json", "(top level): expected an object, found an array"),
        (["plan", "--snapshot", "{duplicate.json}"], "duplicate.json", "duplicate key \"time\""),
        (["plan", "--snapshot", "{snapshot.json}", "--policy", "{empty.json}"], "empty.json", "the file is empty"),
        (["run", "--config", "{dot-agent.json}"], "dot-agent.json", "names a directory, not an agent"),
        (["probe", "--config", "{duplicate.json}"], "duplicate.json", "duplicate key"),
        (["flush", "--config", "{empty.json}"], "empty.json", "the file is empty"),
        (["run", "--config", "{dot-agent.json}", "--sim-clock", "{empty.json}"], "dot-agent.json", "names a directory"),
        (["flush", "--config", "{flush.json}"], "blocked queue", "cannot open telemetry queue"),
    ]

    @Test("a bad file gives one line naming it, exit status 1", arguments: cases.indices)
    func badFile(index: Int) async throws {
        let (template, named, phrase) = Self.cases[index]
        try #require(FileManager.default.isExecutableFile(atPath: Self.program), "build v2g-agent first: \(Self.program)")
        let dir = try TemporaryDirectory()
        let files = try Self.files(in: dir)
        let arguments = template.map { argument in
            argument.hasPrefix("{") ? files[String(argument.dropFirst().dropLast())]! : argument
        }
        let (status, output) = try await Self.run(arguments)
        let lines = output.split(separator: "\n")
        #expect(status == 1, "\(arguments): \(output)")
        #expect(lines.count == 1, "\(arguments): \(output)")
        #expect(output.hasPrefix("v2g-agent: \(files[named]!): "), "\(arguments): \(output)")
        #expect(output.contains(phrase), "\(arguments): \(output)")
        for raw in ["Error Domain", "CocoaError", "NSCocoa", "DecodingError", "Context(", "Swift.", "Dictionary<", "POSIXError"] {
            #expect(!output.contains(raw), "\(arguments): \(output)")
        }
    }

    /// Runs the program with `arguments` and returns its exit status and stderr, waiting on a thread of its own (never
    /// one of the cooperative pool's). A program that accepted its file would go on running: it is killed after 30 s,
    /// and the expectations fail.
    static func run(_ arguments: [String]) async throws -> (status: Int32, stderr: String) {
        try await onOwnThread {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: program)
            process.arguments = arguments
            let stderr = Pipe()
            process.standardError = stderr
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            let pid = process.processIdentifier
            let watchdog = DispatchWorkItem { kill(pid, SIGKILL) }
            DispatchQueue.global().asyncAfter(deadline: .now() + 30, execute: watchdog)
            let output = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            watchdog.cancel()
            return (process.terminationStatus, output)
        }
    }
}
