import Testing
import Telemetry

@Suite("Channels and quanta")
struct ChannelSpecTests {
    @Test("the unit suffix sets the quantum (meter resolution)", arguments: [
        ("phase_a_v", "0.1"), ("phase_a_a", "0.01"), ("total_kw", "0.01"), ("total_kvar", "0.01"),
        ("grid_hz", "0.001"), ("top_oil_c", "0.1"), ("charger_1_soc_pct", "0.1"),
    ])
    func quantumFromSuffix(name: String, quantum: String) throws {
        #expect(try ChannelSpec(name: name).quantum.description == quantum)
    }

    @Test("an unknown unit or a bad name is refused naming the channel", arguments: [
        ("phase_a_volts", "channel.unknown_unit"), ("kw", "channel.unknown_unit"), ("power_w", "channel.unknown_unit"),
        ("Phase_a_v", "channel.bad_name"), ("1_v", "channel.bad_name"), ("phase-a_v", "channel.bad_name"),
        ("", "channel.bad_name"), (String(repeating: "a", count: 63) + "_v", "channel.bad_name"),
    ])
    func badNames(name: String, label: String) {
        let error = #expect(throws: TelemetryFrameError.self) { try ChannelSpec(name: name) }
        #expect(error?.description == label)
        #expect(error?.message.contains("\"\(name)\"") == true)
    }

    @Test("quantizing rounds half away from zero on the decimal value", arguments: [
        // (decimals, value, quanta): 0.15 is stored as 0.1499999…, yet it rounds up as written.
        (1, 0.15, 2), (1, -0.15, -2), (1, 0.25, 3), (1, 230.05, 2_301), (1, -230.05, -2_301), (2, 1.005, 101),
        (2, 2.675, 268), (3, 50.0005, 50_001), (3, 49.9994, 49_999), (1, 0.04, 0), (1, -0.04, 0), (2, 0, 0),
        (1, 1e-5, 0), (2, 123.456, 12_346),
    ] as [(Int, Double, Int64)])
    func quantizeDouble(decimals: Int, value: Double, quanta: Int64) {
        #expect(Quantum(decimals: decimals).quantize(value) == quanta)
    }

    @Test("decimal text quantizes with integer arithmetic", arguments: [
        (1, "230.05", 2_301), (1, "-230.05", -2_301), (1, "230.04999", 2_300), (2, "+7", 700), (3, "1e-3", 1),
        (3, "5.00005E1", 50_001), (3, "5.0005E1", 50_005), (2, "0.005", 1), (2, "-0.005", -1), (2, "0.00499", 0), (1, "000123.4", 1_234),
        (2, ".5", 50), (2, "5.", 500),
    ] as [(Int, String, Int64)])
    func quantizeText(decimals: Int, text: String, quanta: Int64) {
        #expect(Quantum(decimals: decimals).quantize(decimal: text) == quanta)
    }

    @Test("non-numbers and values beyond ±2^53 quanta do not quantize", arguments: [
        "", "-", "1.2.3", "abc", "1e", "0x10", "nan", "inf", "1 ", "9007199254740992", "1e400",
    ])
    func quantizeRefuses(text: String) {
        #expect(Quantum(decimals: 0).quantize(decimal: text) == nil)
    }

    @Test("stored quanta read back as exact decimal text and the nearest Double")
    func readBack() {
        let volts = Quantum(decimals: 1)
        #expect(volts.text(ofQuanta: 2_305) == "230.5")
        #expect(Quantum(decimals: 2).text(ofQuanta: -7) == "-0.07")
        #expect(Quantum(decimals: 3).text(ofQuanta: 50_000) == "50.000")
        #expect(volts.value(ofQuanta: 2_305) == 230.5)
        #expect(Quantum(decimals: 3).value(ofQuanta: 49_999) == 49.999)
        #expect(volts.quantize(.nan) == nil)
        #expect(volts.quantize(1e300) == nil)
    }

    @Test("every quantum round trips through a frame exactly", arguments: TelemetryUnit.allCases)
    func eachQuantum(unit: TelemetryUnit) throws {
        let spec = try ChannelSpec(name: "x_\(unit.rawValue)")
        let texts = ["0", "-0.001", "12.345", "-9999.999", "230.05", "0.0049", "7"]
        let column = texts.map { spec.quantum.quantize(decimal: $0) }
        let batch = try TelemetryBatch(agentID: "q", sequence: 1, startTimeMs: 0, timing: .regular(intervalMs: 1000),
                                       channels: [spec], columns: [column], rowCount: texts.count)
        let decoded = try TelemetryDecoder().decode(try TelemetryEncoder().encode(batch))
        #expect(decoded.columns == [column])
        #expect(decoded.channels[0].unit == unit)
    }

    @Test("invalid batches are refused when built")
    func invalidBatches() throws {
        let spec = try ChannelSpec(name: "x_v")
        let cases: [() throws -> TelemetryBatch] = [
            { try TelemetryBatch(agentID: "", sequence: 0, startTimeMs: 0, timing: .regular(intervalMs: 1), channels: [], columns: [], rowCount: 0) },
            { try TelemetryBatch(agentID: "a", sequence: 0, startTimeMs: 0, timing: .regular(intervalMs: 0), channels: [], columns: [], rowCount: 0) },
            { try TelemetryBatch(agentID: "a", sequence: 0, startTimeMs: 0, timing: .regular(intervalMs: 1), channels: [spec], columns: [[1]], rowCount: 2) },
            { try TelemetryBatch(agentID: "a", sequence: 0, startTimeMs: 0, timing: .explicit(offsetsMs: [0, 0]), channels: [spec], columns: [[1, 2]], rowCount: 2) },
            { try TelemetryBatch(agentID: "a", sequence: 0, startTimeMs: 0, timing: .regular(intervalMs: 1), channels: [spec], columns: [[Quantum.maxQuanta]], rowCount: 1) },
        ]
        for make in cases {
            let error = #expect(throws: TelemetryFrameError.self) { try make() }
            #expect(error?.description == "batch.invalid")
        }
        let duplicate = #expect(throws: TelemetryFrameError.self) {
            try TelemetryBatch(agentID: "a", sequence: 0, startTimeMs: 0, timing: .regular(intervalMs: 1),
                               channels: [spec, spec], columns: [[1], [2]], rowCount: 1)
        }
        #expect(duplicate?.description == "channel.bad_name")
    }
}
