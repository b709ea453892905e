import AdmKit
import Testing

@Suite struct ThermalProfileTests {
    static func message(_ csv: String) throws -> String {
        let error = try #require(throws: ThermalInputError.self) { try ThermalProfile(csv: csv, fileName: "load.csv") }
        return error.message
    }

    @Test func parsesRowsSkippingCommentsAndBlankLines() throws {
        let csv = "# header comment\r\nminute,load_pu,ambient_c\r\n\r\n0, 0.5 ,20\n# note\n10,1.2,-5\n"
        let profile = try ThermalProfile(csv: csv, fileName: "load.csv")
        #expect(profile.rows == [
            .init(minute: 0, loadPU: 0.5, ambientC: 20), .init(minute: 10, loadPU: 1.2, ambientC: -5),
        ])
    }

    @Test func badHeaderNamesTheLineAndTheExpectedHeader() throws {
        let m = try Self.message("# c\nminute,load,ambient_c\n0,1,20\n")
        #expect(m.contains("load.csv line 2"))
        #expect(m.contains("minute,load_pu,ambient_c"))
        #expect(m.contains("minute,load,ambient_c"))
    }

    @Test func nonNumericNamesLineAndColumn() throws {
        let m = try Self.message("minute,load_pu,ambient_c\n0,1,20\n5,1,warm\n")
        #expect(m.contains("load.csv line 3 column 3 (ambient_c)"))
        #expect(m.contains("'warm' is not a number"))
    }

    @Test(arguments: [
        ("0,5.5,20", "column 2 (load_pu)", "0…5"), ("0,-0.1,20", "column 2 (load_pu)", "0…5"),
        ("0,1,61", "column 3 (ambient_c)", "−50…60"), ("0,1,-51", "column 3 (ambient_c)", "−50…60"),
        ("0,nan,20", "column 2 (load_pu)", "NaN"), ("0,1,inf", "column 3 (ambient_c)", "−50…60"),
        ("-1,1,20", "column 1 (minute)", "0…1000000"),
    ])
    func outOfRangeNamesColumnAndRange(row: String, column: String, expected: String) throws {
        let m = try Self.message("minute,load_pu,ambient_c\n\(row)\n")
        #expect(m.contains("load.csv line 2 \(column)"))
        #expect(m.contains(expected))
    }

    @Test(arguments: ["10", "9"])
    func minutesMustStrictlyIncrease(minute: String) throws {
        let m = try Self.message("minute,load_pu,ambient_c\n0,1,20\n10,1,20\n\(minute),1,20\n")
        #expect(m.contains("load.csv line 4 column 1 (minute)"))
        #expect(m.contains("strictly increase"))
    }

    @Test func wrongColumnCountIsNamed() throws {
        let m = try Self.message("minute,load_pu,ambient_c\n0,1\n")
        #expect(m.contains("load.csv line 2"))
        #expect(m.contains("found 2"))
    }

    @Test(arguments: ["", "# only a comment\n", "minute,load_pu,ambient_c\n"])
    func emptyInputIsRejected(csv: String) throws {
        let m = try Self.message(csv)
        #expect(m.hasPrefix("load.csv"))
    }
}
