import AdmKit
import Testing

@Suite("Telemetry CSV and pack")
struct TelemetryPackTests {
    struct BadInput: Sendable, CustomTestStringConvertible {
        var name: String
        var csv: String
        var line: Int?
        var column: Int?
        var label: String
        var mentions: String
        var testDescription: String { name }
    }

    static let badInputs: [BadInput] = [
        BadInput(name: "no t_s column", csv: "time,a_v\n0,230\n", line: 1, column: 1, label: "pack_bad_header", mentions: "t_s"),
        BadInput(name: "no channels", csv: "t_s\n0\n", line: 1, column: nil, label: "pack_bad_header", mentions: "no channel"),
        BadInput(name: "unknown unit", csv: "# comment\nt_s,a_v,b_watts\n0,230,1\n", line: 2, column: 3,
                 label: "pack_bad_channel", mentions: "b_watts"),
        BadInput(name: "duplicate channel", csv: "t_s,a_v,a_v\n", line: 1, column: 3, label: "pack_bad_channel", mentions: "twice"),
        BadInput(name: "bad value", csv: "t_s,a_v,b_a\n0,230,1\n1,230,1,5\n", line: 3, column: 4,
                 label: "pack_bad_row", mentions: "found 4"),
        BadInput(name: "short row", csv: "t_s,a_v,b_a\n0,230\n", line: 2, column: 3, label: "pack_bad_row", mentions: "found 2"),
        BadInput(name: "not a number", csv: "t_s,a_v,b_a\n0,230,1\n\n1,2x0,1\n", line: 4, column: 2,
                 label: "pack_bad_number", mentions: "a_v \"2x0\""),
        BadInput(name: "nan", csv: "t_s,a_v\n0,nan\n", line: 2, column: 2, label: "pack_bad_number", mentions: "nan"),
        BadInput(name: "bad time", csv: "t_s,a_v\nzero,230\n", line: 2, column: 1, label: "pack_bad_number", mentions: "t_s"),
        BadInput(name: "time repeats at ms resolution", csv: "t_s,a_v\n1,230\n1.0004,231\n", line: 3, column: 1,
                 label: "pack_time_not_increasing", mentions: "strictly increasing"),
        BadInput(name: "header only", csv: "t_s,a_v\n", line: nil, column: nil, label: "pack_no_rows", mentions: "no rows"),
        BadInput(name: "empty", csv: "", line: nil, column: nil, label: "pack_no_rows", mentions: "no rows"),
    ]

    @Test("errors name the file, line and column", arguments: badInputs)
    func rejects(input: BadInput) {
        let error = #expect(throws: TelemetryPackError.self) { try TelemetryCSV.parse(input.csv, fileName: "t.csv") }
        #expect(error?.description == input.label)
        #expect(error?.line == input.line)
        #expect(error?.column == input.column)
        #expect(error?.fileName == "t.csv")
        #expect(error?.message.hasPrefix("t.csv:") == true)
        #expect(error?.message.contains(input.mentions) == true, "\(error?.message ?? "")")
    }

    @Test("cells are quantized to the unit, empty cells are missing")
    func quantizes() throws {
        let table = try TelemetryCSV.parse("t_s,a_v,b_a,f_hz\n0,230.05,,50.0005\n0.5,-0.04,1.005,\n", fileName: "t.csv")
        #expect(table.timesMs == [0, 500])
        #expect(table.columns == [[2_301, 0], [nil, 101], [50_001, nil]])
        #expect(table.channels.map(\.name) == ["a_v", "b_a", "f_hz"])
    }

    @Test("batches split on the window; uneven rows get explicit times")
    func batching() throws {
        let csv = "t_s,a_v\n" + [0, 1, 2, 3.5, 10, 11, 12].map { "\($0),230\n" }.joined()
        let table = try TelemetryCSV.parse(csv, fileName: "t.csv")
        let report = try TelemetryPack.pack(table, fileName: "t.csv", batchSeconds: 10)
        #expect(report.batches.map(\.rows) == [4, 3])
        #expect(report.batches.map(\.sequence) == [1, 2])
        #expect(report.values == 7)
        #expect(report.roundTripExact)
    }

    /// examples/telemetry/NAME, from the package root (three levels above this file).
    static func examplePath(_ name: String, filePath: String = #filePath) -> String {
        filePath.split(separator: "/", omittingEmptySubsequences: false).dropLast(3).joined(separator: "/")
            + "/examples/telemetry/" + name
    }

    static func example() throws -> (TelemetryTable, String) {
        let path = examplePath("sample-26ch.csv")
        return (try TelemetryCSV.parse(try TelemetryPack.readText(path: path), fileName: path), path)
    }

    @Test("the example file packs with exact round trip, and the figures add up")
    func exampleFigures() throws {
        let (table, path) = try Self.example()
        #expect(table.channels.count == 26)
        #expect(table.rowCount == 300)
        let report = try TelemetryPack.pack(table, fileName: path)
        #expect(report.roundTripExact)
        #expect(report.batches.count == 5)
        #expect(report.batches.allSatisfy { $0.rows == 60 })
        let cells = table.columns.reduce(0) { $0 + $1.count { $0 != nil } }
        #expect(report.values == cells)
        #expect(report.bytes == report.batches.reduce(0) { $0 + $1.bytes })
        #expect(report.bytesPerValue == Double(report.bytes) / Double(report.values))
        // A guard against a pathological codec, not the size target (the benchmark's job).
        #expect(report.bytesPerValue < 2)
        #expect(report.text.contains("round trip      exact"))
        #expect(report.text.contains("bytes per value"))
    }

    @Test("the example dictionary loads, is named in the report and round trips")
    func exampleDictionary() throws {
        let (table, path) = try Self.example()
        let dictionary = try TelemetryPack.readBytes(path: Self.examplePath("feeder-26ch.dict"))
        let plain = try TelemetryPack.pack(table, fileName: path)
        let report = try TelemetryPack.pack(table, fileName: path, dictionaryBytes: ("feeder-26ch.dict", dictionary))
        #expect(report.roundTripExact)
        #expect(report.dictionaryID != nil)
        #expect(report.bytes < plain.bytes)
        let bad = #expect(throws: TelemetryPackError.self) {
            try TelemetryPack.pack(table, fileName: path, dictionaryBytes: ("junk.dict", [1, 2, 3]))
        }
        #expect(bad?.description == "pack_bad_dictionary")
        #expect(bad?.message.hasPrefix("junk.dict") == true)
    }

    @Test("the synthetic CSV parses back and is reproducible")
    func synthetic() throws {
        let csv = TelemetryPack.syntheticCSV(seconds: 90, seed: 4)
        #expect(csv == TelemetryPack.syntheticCSV(seconds: 90, seed: 4))
        let table = try TelemetryCSV.parse(csv, fileName: "synth")
        #expect(table.rowCount == 90)
        #expect(try TelemetryPack.pack(table, fileName: "synth").roundTripExact)
    }

    @Test("a missing file is unreadable, naming it")
    func unreadable() {
        let error = #expect(throws: TelemetryPackError.self) { try TelemetryPack.readText(path: "/nonexistent/x.csv") }
        #expect(error?.description == "pack_unreadable")
        #expect(error?.message.hasPrefix("/nonexistent/x.csv") == true)
    }
}
