import AdmKit
import Foundation
import Testing

/// Every `v2g-adm telemetry …` file error names the file and says what is wrong in words: never a raw
/// `CocoaError(code: 257)` as `--dictionary /dev/null` once printed.
@Suite("Telemetry CLI: file errors name the file and the problem")
struct TelemetryPackFileTests {
    /// A fresh empty directory under the temporary directory.
    static func scratch() throws -> String {
        let path = NSTemporaryDirectory() + "telemetry-files-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        return path
    }

    static func expectReadable(_ error: TelemetryPackError?, file: String, label: String, saying reason: String) {
        #expect(error?.description == label)
        #expect(error?.fileName == file)
        #expect(error?.message.hasPrefix(file + ": ") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains(reason) == true, "\(error?.message ?? "") should say \(reason)")
        for raw in ["CocoaError", "Error Domain", "POSIXError", "ZDICT"] {
            #expect(error?.message.contains(raw) == false, "raw error text in \(error?.message ?? "")")
        }
    }

    @Test("reading: a device, a directory, a missing file", arguments: [
        ("/dev/null", "is a character device, not a regular file"),
        ("/", "is a directory, not a regular file"),
        ("/nonexistent/telemetry.csv", "no such file or directory"),
        ("", "no file name given"),
    ])
    func unreadable(path: String, reason: String) {
        let error = #expect(throws: TelemetryPackError.self) { try TelemetryPack.readBytes(path: path) }
        Self.expectReadable(error, file: path, label: "pack_unreadable", saying: reason)
    }

    @Test("an empty or foreign dictionary file is named with what it is")
    func badDictionaries() throws {
        let table = try TelemetryCSV.parse("t_s,a_v\n0,230\n1,231\n", fileName: "t.csv")
        let empty = #expect(throws: TelemetryPackError.self) {
            try TelemetryPack.pack(table, fileName: "t.csv", dictionaryBytes: ("empty.dict", []))
        }
        Self.expectReadable(empty, file: "empty.dict", label: "pack_bad_dictionary", saying: "the file is empty")
        let text = #expect(throws: TelemetryPackError.self) {
            try TelemetryPack.pack(table, fileName: "t.csv", dictionaryBytes: ("t.csv", Array("t_s,a_v\n".utf8)))
        }
        Self.expectReadable(text, file: "t.csv", label: "pack_bad_dictionary", saying: "not a usable zstd dictionary")
    }

    @Test("training on too short a file says so, without zstd's internals")
    func tooShortToTrain() throws {
        let csv = TelemetryPack.syntheticCSV(seconds: 300, seed: 3)
        let table = try TelemetryCSV.parse(csv, fileName: "short.csv")
        let error = #expect(throws: TelemetryPackError.self) { try TelemetryPack.trainDictionary(table, fileName: "short.csv") }
        Self.expectReadable(error, file: "short.csv", label: "pack_bad_dictionary", saying: "5 batches of 60 s (300 rows)")
    }

    @Test("writing: into a missing directory, onto a directory, under a file")
    func unwritable() throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let plainFile = directory + "/plain"
        try TelemetryPack.writeBytes([1, 2, 3], path: plainFile)
        #expect(FileManager.default.contents(atPath: plainFile) == Data([1, 2, 3]))
        let cases = [
            (directory + "/missing/x.dict", "directory \(directory)/missing: no such file or directory"),
            (directory, "is a directory"),
            (plainFile + "/x.dict", "\(plainFile) is not a directory"),
        ]
        for (path, reason) in cases {
            let error = #expect(throws: TelemetryPackError.self) { try TelemetryPack.writeBytes([1], path: path) }
            Self.expectReadable(error, file: path, label: "pack_unwritable", saying: reason)
        }
    }

    /// The built `v2g-adm`, next to this test bundle (`swift build --build-tests` builds both).
    static func admPath() throws -> String {
        let bundle = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        return URL(filePath: bundle).deletingLastPathComponent().appending(path: "v2g-adm").path
    }

    @Test("the command prints the file and the reason on stderr and fails", arguments: [
        (["pack", "--input", "CSV", "--dictionary", "/dev/null"], "Error: /dev/null: cannot read: is a character device"),
        (["pack", "--input", "/nonexistent.csv"], "Error: /nonexistent.csv: cannot read: no such file or directory"),
        (["train", "--input", "CSV", "--output", "/nonexistent/x.dict"],
         "Error: CSV: cannot train a 16384-byte dictionary on 5 batches"),
    ])
    func command(arguments: [String], expected: String) throws {
        let adm = try Self.admPath()
        try #require(FileManager.default.isExecutableFile(atPath: adm), "build v2g-adm first: \(adm)")
        let csv = TelemetryPackTests.examplePath("sample-26ch.csv")
        let process = Process()
        process.executableURL = URL(filePath: adm)
        process.arguments = ["telemetry"] + arguments.map { $0 == "CSV" ? csv : $0 }
        let stderr = Pipe()
        process.standardError = stderr
        process.standardOutput = Pipe()
        try process.run()
        let output = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus != 0)
        #expect(output.contains(expected.replacingOccurrences(of: "CSV", with: csv)), "stderr: \(output)")
        #expect(!output.contains("CocoaError"))
    }
}
