import AdmKit
import Testing

@Suite("Curve bench CSV")
struct CurveBenchCSVTests {
    struct BadInput: Sendable, CustomTestStringConvertible {
        var name: String
        var function: CurveFunction
        var csv: String
        var line: Int?
        var column: Int?
        var label: String
        var mentions: String
        var testDescription: String { name }
    }

    static let badInputs: [BadInput] = [
        BadInput(name: "wrong header", function: .voltVar, csv: "t,v\n0,1\n", line: 1, column: nil,
                 label: "bench_bad_header", mentions: "t_s,v_pu"),
        BadInput(name: "voltage header for droop", function: .frequencyDroop, csv: "t_s,v_pu\n0,60\n", line: 1, column: nil,
                 label: "bench_bad_header", mentions: "t_s,f_hz"),
        BadInput(name: "bad time after comments", function: .voltVar, csv: "# bench\n\nt_s,v_pu\n0,1.0\nx,1.0\n",
                 line: 5, column: 1, label: "bench_bad_number", mentions: "t_s"),
        BadInput(name: "bad voltage", function: .voltVar, csv: "t_s,v_pu\n0,1.0\n1,1.o\n", line: 3, column: 2,
                 label: "bench_bad_number", mentions: "0.0…2.0"),
        BadInput(name: "NaN voltage", function: .voltWatt, csv: "t_s,v_pu\n0,nan\n", line: 2, column: 2,
                 label: "bench_bad_number", mentions: "v_pu"),
        BadInput(name: "voltage above 2 pu", function: .voltVar, csv: "t_s,v_pu\n0,1\n1,2.5\n", line: 3, column: 2,
                 label: "bench_out_of_range", mentions: "0.0…2.0"),
        BadInput(name: "negative voltage", function: .voltVar, csv: "t_s,v_pu\n0,-0.1\n", line: 2, column: 2,
                 label: "bench_out_of_range", mentions: "v_pu"),
        BadInput(name: "frequency above 70 Hz", function: .frequencyDroop, csv: "t_s,f_hz\n0,60\n1,60\n2,71\n",
                 line: 4, column: 2, label: "bench_out_of_range", mentions: "40.0…70.0"),
        BadInput(name: "time repeated", function: .voltVar, csv: "t_s,v_pu\n0,1\n1,1\n1,1.01\n", line: 4, column: 1,
                 label: "bench_time_not_increasing", mentions: "strictly increasing"),
        BadInput(name: "time going back", function: .frequencyDroop, csv: "t_s,f_hz\n5,60\n4,60\n", line: 3, column: 1,
                 label: "bench_time_not_increasing", mentions: "t_s"),
        BadInput(name: "extra field", function: .voltVar, csv: "t_s,v_pu\n0,1,2\n", line: 2, column: 3,
                 label: "bench_bad_row", mentions: "2 fields"),
        BadInput(name: "missing field", function: .voltVar, csv: "t_s,v_pu\n0,1\n1\n", line: 3, column: 2,
                 label: "bench_bad_row", mentions: "found 1"),
        BadInput(name: "header only", function: .voltVar, csv: "t_s,v_pu\n", line: nil, column: nil,
                 label: "bench_no_samples", mentions: "no samples"),
    ]

    @Test("errors name the file, line, column and allowed range", arguments: badInputs)
    func rejects(input: BadInput) {
        let error = #expect(throws: CurveBenchError.self) {
            try CurveBenchCSV.parse(input.csv, fileName: "bench.csv", function: input.function)
        }
        #expect(error?.line == input.line)
        #expect(error?.column == input.column)
        #expect(error?.description == input.label)
        let place = ["bench.csv", input.line.map(String.init), input.column.map(String.init)].compactMap { $0 }
        #expect(error?.message.hasPrefix(place.joined(separator: ":") + ": ") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains(input.mentions) == true, "\(error?.message ?? "")")
    }

    @Test("CRLF, spaces, comments and blank lines are accepted; line numbers are the file's")
    func tolerantLayout() throws {
        let samples = try CurveBenchCSV.parse("# c\r\n t_s , v_pu \r\n\r\n0, 1.00\r\n0.5 ,1.08\r\n", fileName: "x.csv", function: .voltVar)
        #expect(samples.map(\.timeS) == [0, 0.5])
        #expect(samples.map(\.value) == [1.00, 1.08])
        #expect(samples.map(\.line) == [4, 5])
        #expect(samples.map(\.timeText) == ["0", "0.5"])
    }

    @Test("fixed-point output", arguments: [(0.0, "0.000000"), (-0.0000001, "0.000000"), (-0.396, "-0.396000"),
                                            (1.0, "1.000000"), (0.1666666666, "0.166667"), (-12.3456785, "-12.345679")])
    func fixed(value: Double, text: String) {
        #expect(CurveBenchCSV.fixed(value) == text)
    }
}
