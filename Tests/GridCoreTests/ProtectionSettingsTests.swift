import FoundationEssentials
import GridCore
import Testing

/// One edge of a Category II adjustable range in IEEE 1547-2018 Table 12 / Table 19, just in or just out.
struct ProtectionRangeEdge: Sendable, CustomTestStringConvertible {
    var function: TripFunction
    var pickup: Double?
    var clearingTimeS: Double?
    /// Other pickups moved so that the ordering rules do not mask the edge under test.
    var others: [TripFunction: Double] = [:]
    var passes: Bool

    var field: String { "trip.\(function.rawValue.lowercased()).\(pickup != nil ? "pickup" : "clearing_time_s")" }
    var testDescription: String { "\(field) = \(pickup ?? clearingTimeS ?? .nan) \(passes ? "in" : "out")" }

    static func pickup(_ f: TripFunction, _ value: Double, _ passes: Bool, others: [TripFunction: Double] = [:]) -> Self {
        Self(function: f, pickup: value, others: others, passes: passes)
    }

    static func clearing(_ f: TripFunction, _ value: Double, _ passes: Bool) -> Self {
        Self(function: f, clearingTimeS: value, passes: passes)
    }

    static let all: [ProtectionRangeEdge] = [
        .pickup(.ov2, 1.20, true), .pickup(.ov2, 1.19, false), .clearing(.ov2, 0.16, true), .clearing(.ov2, 0.17, false),
        .pickup(.ov1, 1.10, true), .pickup(.ov1, 1.0999, false), .pickup(.ov1, 1.20, true), .pickup(.ov1, 1.2001, false),
        .clearing(.ov1, 1, true), .clearing(.ov1, 0.999, false), .clearing(.ov1, 13, true), .clearing(.ov1, 13.001, false),
        .pickup(.uv1, 0, true, others: [.uv2: 0]), .pickup(.uv1, -0.001, false), .pickup(.uv1, 0.88, true), .pickup(.uv1, 0.881, false),
        .clearing(.uv1, 2, true), .clearing(.uv1, 1.999, false), .clearing(.uv1, 21, true), .clearing(.uv1, 21.001, false),
        .pickup(.uv2, 0, true), .pickup(.uv2, -0.001, false), .pickup(.uv2, 0.50, true), .pickup(.uv2, 0.501, false),
        .clearing(.uv2, 0.16, true), .clearing(.uv2, 0.159, false), .clearing(.uv2, 2, true), .clearing(.uv2, 2.001, false),
        .pickup(.of2, 61.8, true), .pickup(.of2, 61.799, false), .pickup(.of2, 66, true), .pickup(.of2, 66.001, false),
        .clearing(.of2, 0.16, true), .clearing(.of2, 0.159, false), .clearing(.of2, 1000, true), .clearing(.of2, 1000.1, false),
        .pickup(.of1, 61.0, true), .pickup(.of1, 60.999, false), .pickup(.of1, 66, true, others: [.of2: 66]),
        .pickup(.of1, 66.001, false, others: [.of2: 66]),
        .clearing(.of1, 180, true), .clearing(.of1, 179.9, false), .clearing(.of1, 1000, true), .clearing(.of1, 1000.1, false),
        .pickup(.uf1, 50, true, others: [.uf2: 50]), .pickup(.uf1, 49.999, false, others: [.uf2: 50]),
        .pickup(.uf1, 59, true), .pickup(.uf1, 59.001, false),
        .clearing(.uf1, 180, true), .clearing(.uf1, 179.9, false), .clearing(.uf1, 1000, true), .clearing(.uf1, 1000.1, false),
        .pickup(.uf2, 50, true), .pickup(.uf2, 49.999, false), .pickup(.uf2, 57, true), .pickup(.uf2, 57.001, false),
        .clearing(.uf2, 0.16, true), .clearing(.uf2, 0.159, false), .clearing(.uf2, 1000, true), .clearing(.uf2, 1000.1, false),
        .pickup(.ov1, .nan, false), .clearing(.uf1, .infinity, false),
    ]
}

@Suite("Protection: settings and validation")
struct ProtectionSettingsTests {
    @Test("Category II defaults validate at 60 and 50 Hz", arguments: [60.0, 50.0])
    func defaultsValidate(nominalHz: Double) throws {
        try ProtectionMonitor(nominalHz: nominalHz).validate()
        try EnterServiceSettings.ieee1547(nominalHz: nominalHz).validate()
    }

    @Test("each edge of the adjustable ranges", arguments: ProtectionRangeEdge.all)
    func rangeEdge(edge: ProtectionRangeEdge) {
        var settings = TripSettings.categoryII()
        if let pickup = edge.pickup { settings[edge.function].pickup = pickup }
        if let clearing = edge.clearingTimeS { settings[edge.function].clearingTimeS = clearing }
        for (other, pickup) in edge.others { settings[other].pickup = pickup }
        do {
            try settings.validate()
            #expect(edge.passes, "accepted \(edge.testDescription)")
        } catch let error as ProtectionSettingsError {
            #expect(!edge.passes, "rejected: \(error.message)")
            #expect(error.field == edge.field)
            #expect(error.isOutOfRange || error.isFixedSetting || error.tripsAtNominal)
            #expect(error.message.contains(edge.field))
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test("the edges hold at 50 Hz once scaled by 50/60")
    func fiftyHertzEdges() {
        var settings = TripSettings.categoryII(nominalHz: 50)
        settings.of2.pickup = 61.8 * 50 / 60
        #expect(throws: Never.self) { try settings.validate() }
        settings.of2.pickup = 61.8 * 50 / 60 - 0.001
        #expect(throws: ProtectionSettingsError.self) { try settings.validate() }
        settings = .categoryII(nominalHz: 50)
        settings.uf1.pickup = 59 * 50 / 60 + 0.001
        #expect(throws: ProtectionSettingsError.self) { try settings.validate() }
    }

    @Test("settings out of order are rejected, naming the field")
    func ordering() throws {
        let cases: [(String, (inout TripSettings) -> Void)] = [
            ("trip.uv2.pickup", { $0.uv2.pickup = 0.5; $0.uv1.pickup = 0.45 }),
            ("trip.uf2.pickup", { $0.uf2.pickup = 57; $0.uf1.pickup = 56 }),
            ("trip.of1.pickup", { $0.of1.pickup = 62.5 }),
        ]
        for (field, mutate) in cases {
            var settings = TripSettings.categoryII()
            mutate(&settings)
            let error = try #require(throws: ProtectionSettingsError.self) { try settings.validate() }
            #expect(error.isMisordered)
            #expect(error.field == field)
        }
        var equal = TripSettings.categoryII()
        equal.ov1.pickup = 1.20
        try equal.validate()
    }

    @Test("only 50 and 60 Hz systems are supported")
    func nominal() {
        var settings = TripSettings.categoryII()
        settings.nominalHz = 55
        #expect(throws: ProtectionSettingsError.self) { try settings.validate() }
    }

    @Test("enter-service ranges of IEEE 1547-2018 Table 4")
    func enterServiceRanges() throws {
        let edges: [(WritableKeyPath<EnterServiceSettings, Double>, Double, Bool)] = [
            (\.minVoltagePU, 0.88, true), (\.minVoltagePU, 0.879, false), (\.minVoltagePU, 0.95, true), (\.minVoltagePU, 0.951, false),
            (\.maxVoltagePU, 1.05, true), (\.maxVoltagePU, 1.049, false), (\.maxVoltagePU, 1.06, true), (\.maxVoltagePU, 1.061, false),
            (\.minFrequencyHz, 59.0, true), (\.minFrequencyHz, 58.99, false), (\.minFrequencyHz, 59.9, true), (\.minFrequencyHz, 59.91, false),
            (\.maxFrequencyHz, 60.1, true), (\.maxFrequencyHz, 60.09, false), (\.maxFrequencyHz, 61.0, true), (\.maxFrequencyHz, 61.01, false),
            (\.delayS, 0, true), (\.delayS, -1, false), (\.delayS, 600, true), (\.delayS, 601, false),
        ]
        for (path, value, passes) in edges {
            var settings = EnterServiceSettings.ieee1547()
            settings[keyPath: path] = value
            #expect(((try? settings.validate()) != nil) == passes, "\(path) = \(value)")
        }
        let defaults = EnterServiceSettings.ieee1547()
        #expect([defaults.minVoltagePU, defaults.maxVoltagePU, defaults.minFrequencyHz, defaults.maxFrequencyHz, defaults.delayS]
            == [0.917, 1.05, 59.5, 60.1, 300])
    }

    @Test("data-quality settings: defaults, 50 Hz scaling and bad values")
    func quality() throws {
        let sixty = DataQualitySettings()
        #expect(sixty.staleAfterCycles == 3 && sixty.frozenAfterSamples == 3)
        #expect(sixty.plausibleVoltagePU == 0...2 && sixty.plausibleFrequencyHz(nominalHz: 60) == 40...70)
        let fifty = sixty.plausibleFrequencyHz(nominalHz: 50)
        #expect(abs(fifty.lowerBound - 33.333) < 1e-3 && abs(fifty.upperBound - 58.333) < 1e-3)
        try sixty.validate()
        #expect(throws: ProtectionSettingsError.self) { try DataQualitySettings(staleAfterCycles: 0).validate() }
        #expect(throws: ProtectionSettingsError.self) { try DataQualitySettings(frozenAfterSamples: 1).validate() }
        #expect(throws: ProtectionSettingsError.self) { try DataQualitySettings(maxCurrentA: .nan).validate() }
        #expect(throws: ProtectionSettingsError.self) {
            try ProtectionMonitor(quality: DataQualitySettings(plausibleFrequencyHz: 57...63)).validate()
        }
    }

    @Test("settings, state and verdicts survive a JSON round trip")
    func codable() throws {
        var run = ProtectionRun()
        _ = run.step(pu: ProtectionFixture.onePhase(.a, at: 1.12))
        let verdict = run.step(pu: ProtectionFixture.onePhase(.a, at: 1.12))
        #expect(verdict.isCeased)
        let encoder = JSONEncoder()
        let decoder = JSONDecoder()
        #expect(try decoder.decode(ProtectionState.self, from: encoder.encode(run.state)) == run.state)
        #expect(try decoder.decode(ProtectionVerdict.self, from: encoder.encode(verdict)) == verdict)
        let monitor = ProtectionMonitor(nominalHz: 50)
        #expect(try decoder.decode(ProtectionMonitor.self, from: encoder.encode(monitor)) == monitor)
    }

    @Test("alarm codes are the stable strings of the telemetry contract")
    func stableCodes() {
        #expect(ProtectionCode.allCases.map(\.rawValue) == [
            "TRIP_OV2", "TRIP_OV1", "TRIP_UV1", "TRIP_UV2", "TRIP_OF2", "TRIP_OF1", "TRIP_UF1", "TRIP_UF2",
            "OVERVOLTAGE_DISCHARGE_BLOCKED", "DATA_MISSING", "DATA_STALE", "DATA_IMPLAUSIBLE", "DATA_FROZEN", "ENTER_SERVICE_WAIT",
            "MOMENTARY_CESSATION", "CLEARING_TIME_UNREACHABLE",
        ])
        #expect(ProtectionCode.allCases.filter(\.isTrip) == TripFunction.allCases.map(\.code))
    }
}
