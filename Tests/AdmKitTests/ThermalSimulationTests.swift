import AdmKit
import FoundationEssentials
import GridCore
import Testing

@Suite struct ThermalSimulationTests {
    /// The repository's examples/thermal folder, found from this file's path.
    static func example(_ name: String) throws -> [UInt8] {
        let root = URL(filePath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return [UInt8](try Data(contentsOf: root.appending(path: "examples/thermal/\(name)")))
    }

    static func workedExample() throws -> [String: [Double]] {
        let csv = String(decoding: try example("iec-worked-example.csv"), as: UTF8.self)
        let out = try ThermalSimulation.simulate(
            csv: csv, csvName: "iec-worked-example.csv", transformerJSON: try example("iec-worked-example.json"),
            transformerName: "iec-worked-example.json", paper: .normal
        )
        var byMinute: [String: [Double]] = [:]
        let lines = out.split(separator: "\n")
        #expect(lines.first == "minute,top_oil_c,hot_spot_c,ageing_rate")
        for line in lines.dropFirst() {
            let fields = line.split(separator: ",").map(String.init)
            byMinute[fields[0]] = fields.dropFirst().compactMap { Double($0) }
        }
        return byMinute
    }

    @Test(arguments: [("500", 89.2, 127.0), ("730", 67.9, 138.6)])
    func workedExampleMatchesTheStandard(minute: String, topOilC: Double, hotSpotC: Double) throws {
        let byMinute = try Self.workedExample()
        #expect(byMinute.count == 746)  // minutes 0…745
        let row = try #require(byMinute[minute])
        #expect(abs(row[0] - topOilC) <= 1.5)
        #expect(abs(row[1] - hotSpotC) <= 1.5)
        // The printed ageing rate follows from the printed hot-spot (to its 0.05 °C rounding).
        let rate = HotSpotModel.relativeAgeingRate(hotSpotC: row[1], paper: .normal)
        #expect(abs(row[2] - rate) <= rate * 0.01)
    }

    @Test func workedExampleStartsAtTheGivenTopOil() throws {
        let first = try #require(try Self.workedExample()["0"])
        #expect(first[0] == 38.3)
        #expect(first[1] == 38.3)
    }

    @Test func loadChangesAtTheRowsMinuteNotBefore() throws {
        // Steady at 0.5 pu until minute 10, then 1.5 pu: minute 10 still shows the steady state.
        let profile = try ThermalProfile(csv: "minute,load_pu,ambient_c\n0,0.5,20\n10,1.5,20\n12,1.5,20\n", fileName: "x")
        let model = HotSpotModel()
        let samples = ThermalSimulation.run(profile, model: model)
        #expect(samples.map(\.minute) == Array(0...12))
        let steady = model.steadyState(loadPU: 0.5, ambientC: 20)
        #expect(abs(samples[10].hotSpotC - steady.hotSpotC) < 1e-9)
        #expect(samples[11].hotSpotC > samples[10].hotSpotC)
    }

    @Test func fractionalMinutesReportWholeMinutesInside() throws {
        let profile = try ThermalProfile(csv: "minute,load_pu,ambient_c\n0.5,1,20\n3.5,1,20\n", fileName: "x")
        let samples = ThermalSimulation.run(profile, model: HotSpotModel())
        #expect(samples.map(\.minute) == [1, 2, 3])
    }

    @Test(arguments: [
        (#"{"tau_o": 3}"#, "unknown key 'tau_o'"), (#"{"tau_o_min": 0}"#, "tau_o_min"),
        (#"{"x": "a"}"#, "x must be a number"), ("[1]", "JSON object"), (#"{"k21": 0.5}"#, "k21"),
    ])
    func transformerErrorsNameTheKey(json: String, expected: String) throws {
        let error = try #require(throws: ThermalInputError.self) {
            try ThermalTransformerFile.parameters(json: Array(json.utf8), fileName: "t.json")
        }
        #expect(error.message.hasPrefix("t.json: "))
        #expect(error.message.contains(expected))
    }

    @Test func transformerDefaultsMissingKeys() throws {
        let p = try ThermalTransformerFile.parameters(json: Array(#"{"R": 6}"#.utf8), fileName: "t.json")
        var expected = ThermalParameters.onanDistribution
        expected.lossRatio = 6
        #expect(p == expected)
    }

    @Test func upgradedPaperPrintsALowerAgeingRateAboveItsReference() throws {
        let csv = "minute,load_pu,ambient_c\n0,1,20\n1,1,20\n"
        let normal = try ThermalSimulation.simulate(csv: csv, csvName: "x", transformerJSON: nil, transformerName: "-", paper: .normal)
        let upgraded = try ThermalSimulation.simulate(
            csv: csv, csvName: "x", transformerJSON: nil, transformerName: "-", paper: .thermallyUpgraded)
        #expect(normal.hasSuffix("1,75.0,98.0,1.000\n"))
        let lastRate = try #require(upgraded.split(separator: "\n").last?.split(separator: ",").last)
        #expect(try #require(Double(String(lastRate))) < 1)
    }
}
