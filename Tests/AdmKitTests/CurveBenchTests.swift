import AdmKit
import GridCore
import Testing

/// examples/curves/NAME, read from the package root (three levels above this file).
func exampleCurveFile(_ name: String, filePath: String = #filePath) throws -> String {
    let root = filePath.split(separator: "/", omittingEmptySubsequences: false).dropLast(3).joined(separator: "/")
    return try CurveBench.readText(path: root + "/examples/curves/" + name)
}

@Suite("Curve bench (v2g-adm curve respond)")
struct CurveBenchTests {
    /// Runs `bench` on an example; returns samples and outputs.
    static func run(_ bench: CurveBench, example: String) throws -> ([CurveBenchSample], [Double]) {
        let samples = try CurveBenchCSV.parse(try exampleCurveFile(example), fileName: example, function: bench.setting.function)
        return (samples, bench.respond(to: samples))
    }

    /// The first sample whose input differs from the first one.
    static func stepIndex(_ samples: [CurveBenchSample]) throws -> Int {
        try #require(samples.firstIndex { $0.value != samples[0].value })
    }

    @Test("Cat B example step 1.00 → 1.08 pu: 90 % of the Q step at t = step + Tr, settled in the 1547.1 band")
    func voltVarExampleStep() throws {
        let bench = try CurveBench.configured(function: .voltVar, category: .b)
        let curve = VoltVarCurve.categoryB
        let (samples, outputs) = try Self.run(bench, example: "catb-step.csv")
        let step = try Self.stepIndex(samples)
        #expect(samples[step - 1].value == 1.00 && samples[step].value == 1.08)
        let initial = curve.reactivePowerPU(atVoltagePU: 1.00), target = curve.reactivePowerPU(atVoltagePU: 1.08)
        // Zero-order hold: nothing has moved at the instant of the step.
        #expect(outputs[..<(step + 1)].allSatisfy { $0 == initial })
        let atTr = try #require(samples.firstIndex { $0.timeS == samples[step].timeS + curve.responseTimeS })
        let covered = ResponseTolerance.stepFractionCovered(initial: initial, target: target, value: outputs[atTr])
        #expect(covered >= 0.9 - ResponseTolerance.fractionSlack && covered <= 0.91, "covered \(covered)")
        #expect(!ResponseTolerance.reachedNinetyPercent(initial: initial, target: target, valueAtResponseTime: outputs[atTr - 1]))
        let band = ResponseTolerance.steadyStateQBand(curve: curve, voltagePU: 1.08)
        #expect(band.contains(try #require(outputs.last)))
        // The CSV row at t = step + Tr carries the same value.
        let csv = try bench.respond(csv: try exampleCurveFile("catb-step.csv"), fileName: "catb-step.csv")
        let row = "\(samples[atTr].timeText),\(CurveBenchCSV.fixed(outputs[atTr]))"
        #expect(csv.hasPrefix("t_s,q_pu\n") && csv.contains("\n\(row)\n"))
    }

    @Test("droop example: 90 % of the export change at t = step + Tr")
    func droopExample() throws {
        let bench = try CurveBench.configured(function: .frequencyDroop)
        let droop = FrequencyDroop()
        let (samples, outputs) = try Self.run(bench, example: "droop-excursion.csv")
        let step = try Self.stepIndex(samples)
        let target = droop.exportChangePU(frequencyHz: samples[step].value)
        #expect(target < 0)
        let atTr = try #require(samples.firstIndex { $0.timeS == samples[step].timeS + droop.responseTimeS })
        #expect(ResponseTolerance.reachedNinetyPercent(initial: 0, target: target, valueAtResponseTime: outputs[atTr]))
        #expect(ResponseTolerance.stepFractionCovered(initial: 0, target: target, value: outputs[atTr]) <= 0.91)
        #expect(outputs.allSatisfy { (-1...1).contains($0) })
    }

    @Test("starts in steady state at the first sample, autonomous VRef included")
    func steadyStart() throws {
        let samples = try CurveBenchCSV.parse("t_s,v_pu\n0,1.08\n1,1.08\n2,1.08\n", fileName: "s.csv", function: .voltVar)
        let fixedRef = try CurveBench.configured(function: .voltVar, category: .b).respond(to: samples)
        #expect(fixedRef.allSatisfy { $0 == VoltVarCurve.categoryB.reactivePowerPU(atVoltagePU: 1.08) })
        var curve = VoltVarCurve.categoryB
        curve.autonomousVRefEnabled = true
        let moving = CurveBench(setting: .voltVar(curve)).respond(to: samples)
        // VRef has settled at the clamp 1.05: the effective curve is shifted by +0.05.
        #expect(moving.allSatisfy { $0 == curve.reactivePowerPU(atVoltagePU: 1.08, vRefPU: 1.05) })
    }

    @Test("Volt-Watt bench outputs the discharge limit")
    func voltWatt() throws {
        let bench = try CurveBench.configured(function: .voltWatt)
        let (samples, outputs) = try Self.run(bench, example: "catb-step.csv")
        #expect(outputs.first == 1)
        let limit = VoltWattCurve.ieee1547Default.maxDischargePU(atVoltagePU: 1.08)
        let band = ResponseTolerance.steadyStatePBand(curve: .ieee1547Default, voltagePU: 1.08)
        #expect(try #require(outputs.last) > limit && band.contains(try #require(outputs.last)))
        #expect(samples.count == outputs.count)
    }

    @Test("the custom curve example is valid and used")
    func customCurve() throws {
        let file = (name: "custom-volt-var.json", contents: try exampleCurveFile("custom-volt-var.json"))
        let bench = try CurveBench.configured(function: .voltVar, curveFile: file)
        guard case .voltVar(let curve) = bench.setting else { Issue.record("not volt-var"); return }
        #expect(curve.autonomousVRefEnabled && curve != .categoryB)
    }

    @Test("curve files: a missing key or an out-of-range value names the file and the field")
    func badCurveFiles() {
        let missing = #expect(throws: CurveBenchError.self) {
            try CurveBench.configured(function: .voltWatt, curveFile: ("vw.json", #"{"v1_pu":1.06,"response_time_s":10}"#))
        }
        #expect(missing?.message == #"vw.json: missing key "v2_pu""#)
        let outside = #expect(throws: CurveBenchError.self) {
            try CurveBench.configured(function: .voltWatt, curveFile: ("vw.json", #"{"v1_pu":1.04,"v2_pu":1.1,"response_time_s":10}"#))
        }
        #expect(outside?.description == "bench_bad_curve")
        #expect(outside?.message.hasPrefix("vw.json: v1_pu = 1.04") == true)
        // Q4 = −0.3 fits Category B's capability but not Category A's (absorption 0.25).
        let json = #"{"v_ref_pu":1,"v1_pu":0.9,"q1_pu":0.25,"v2_pu":1,"q2_pu":0,"v3_pu":1,"q3_pu":0,"v4_pu":1.1,"q4_pu":-0.3,"response_time_s":10}"#
        #expect(throws: Never.self) { try CurveBench.configured(function: .voltVar, category: .b, curveFile: ("vv.json", json)) }
        let catA = #expect(throws: CurveBenchError.self) {
            try CurveBench.configured(function: .voltVar, category: .a, curveFile: ("vv.json", json))
        }
        #expect(catA?.message.contains("q4_pu") == true)
        let notJSON = #expect(throws: CurveBenchError.self) {
            try CurveBench.configured(function: .frequencyDroop, curveFile: ("d.json", "{"))
        }
        #expect(notJSON?.description == "bench_bad_curve_file")
    }

    @Test("an unreadable input names the path")
    func unreadable() {
        let error = #expect(throws: CurveBenchError.self) { try CurveBench.readText(path: "/nonexistent/bench.csv") }
        #expect(error?.description == "bench_unreadable" && error?.message.hasPrefix("/nonexistent/bench.csv: ") == true)
    }
}
