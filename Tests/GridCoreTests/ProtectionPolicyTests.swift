import FoundationEssentials
@testable import GridCore
import Testing

/// The policy's `trip` and `data_quality` blocks: snake_case, one nominal frequency, validated as a whole.
@Suite("Protection: the policy's trip and data-quality blocks")
struct ProtectionPolicyTests {
    static func policy(_ json: String) throws -> ControlPolicy {
        try JSONDecoder().decode(ControlPolicy.self, from: Data(json.utf8))
    }

    static func refusal(_ json: String) throws -> PolicyError {
        let policy = try policy(json)
        return try #require(throws: PolicyError.self) { try policy.validate() }
    }

    @Test("a category and one override: the override wins, the other functions keep the category's defaults")
    func overrides() throws {
        let policy = try Self.policy("""
            {"trip": {"category": "III", "uv1": {"pickup": 0.85, "clearing_time_s": 30}, "ov1": {"clearing_time_s": 12}}}
            """)
        try policy.validate()
        let settings = policy.protectionMonitor.trip
        #expect(settings.category == .iii)
        #expect(settings.uv1 == TripSetting(pickup: 0.85, clearingTimeS: 30))
        #expect(settings.ov1 == TripSetting(pickup: 1.10, clearingTimeS: 12))
        #expect(settings.uv2 == TripSetting(pickup: 0.50, clearingTimeS: 2))
        #expect(settings.of1 == TripSetting(pickup: 61.2, clearingTimeS: 300))
        let reencoded = try JSONDecoder().decode(ControlPolicy.self, from: JSONEncoder().encode(policy))
        #expect(reencoded == policy)
    }

    @Test("no trip block: Category II at the transformer's frequency")
    func defaults() throws {
        let fifty = try Self.policy(#"{"transformer": {"nominal_hz": 50}}"#)
        try fifty.validate()
        #expect(fifty.protectionMonitor.trip == .categoryII(nominalHz: 50))
        #expect(fifty.protectionMonitor.plausibleFrequencyHz.contains(50))
    }

    @Test("a 50 Hz transformer with a trip block written for 60 Hz is refused, naming the function")
    func sixtyHertzBlockOnFiftyHertz() throws {
        let error = try Self.refusal("""
            {"transformer": {"nominal_hz": 50},
             "trip": {"of1": {"pickup": 61.2}, "uf1": {"pickup": 58.5}, "uf2": {"pickup": 56.5}}}
            """)
        #expect(error.field == "trip.uf1.pickup")
        #expect(error.message.contains("58.5 Hz") && error.message.contains("nominal 50 Hz") && error.message.contains("UF1"))
    }

    @Test("a 50 Hz policy without a trip block never trips at a steady 50.0 Hz (1001 cycles)")
    func fiftyHertzNeverLocksOut() throws {
        var policy = Fixture.unramped
        policy.transformer.nominalHz = 50
        policy.frequencyDroop = FrequencyDroop(nominalHz: 50)
        try policy.validate()
        var state = CycleState()
        for k in 0...1000 {
            let now = Fixture.now + Double(k)
            let meter = Fixture.meter(kw: PerPhase(a: 10 + Double(k % 7) * 0.1, b: 10, c: 10), hz: 50.0, time: now)
            let outcome = ControlCycle(policy: policy).run(
                state, inputs: CycleInputs(meter: meter, ambientC: 20, chargers: [Fixture.charger("a1", .single(.a))]), now: now)
            #expect(outcome.mode == .regulating, "cycle \(k): \(outcome.decisions)")
            if outcome.mode != .regulating { break }
            state = outcome.state
        }
    }

    @Test("settings that trip at nominal are refused", arguments: [
        (#"{"uv1": {"pickup": 1.02}}"#, "trip.uv1.pickup"),
        (#"{"ov1": {"pickup": 0.98}}"#, "trip.ov1.pickup"),
        (#"{"of2": {"pickup": 59.9}}"#, "trip.of2.pickup"),
    ])
    func tripsAtNominal(block: String, field: String) throws {
        let error = try Self.refusal(#"{"trip": \#(block)}"#)
        #expect(error.field == field)
        #expect(error.message.contains("would trip at nominal"))
    }

    @Test("each category's adjustable ranges", arguments: [
        ("I", #"{"uv1": {"clearing_time_s": 22}}"#, "trip.uv1.clearing_time_s", "2–21 s"),
        ("II", #"{"uv2": {"clearing_time_s": 2.5}}"#, "trip.uv2.clearing_time_s", "0.16–2 s"),
        ("III", #"{"uv1": {"clearing_time_s": 20}}"#, "trip.uv1.clearing_time_s", "21–50 s"),
        ("III", #"{"uv2": {"clearing_time_s": 22}}"#, "trip.uv2.clearing_time_s", "2–21 s"),
        ("III", #"{"ov2": {"pickup": 1.25}}"#, "trip.ov2.pickup", "must be 1.2 pu"),
        ("II", #"{"uf2": {"pickup": 57.5}}"#, "trip.uf2.pickup", "50–57 Hz"),
    ])
    func ranges(category: String, overrides: String, field: String, allowed: String) throws {
        let block = "{\"category\": \"\(category)\", " + overrides.dropFirst()
        let error = try Self.refusal(#"{"trip": \#(block)}"#)
        #expect(error.field == field)
        #expect(error.message.contains(allowed), "\(error.message)")
        #expect(error.message.contains("Category \(category)"))
    }

    @Test("Category III values are accepted where Category II refuses them")
    func categoryIIIRanges() throws {
        try Self.policy(#"{"trip": {"category": "III", "uv1": {"clearing_time_s": 50}}}"#).validate()
        #expect(throws: PolicyError.self) {
            try Self.policy(#"{"trip": {"category": "II", "uv1": {"clearing_time_s": 50}}}"#).validate()
        }
    }

    @Test("bad keys and words name the field", arguments: [
        (#"{"trip": {"category": "IV"}}"#, "is not a category; allowed: I, II, III"),
        (#"{"trip": {"nominalHz": 60}}"#, "unknown key \"nominalHz\""),
        (#"{"trip": {"uv1": {"clearingTimeS": 10}}}"#, "unknown key \"clearingTimeS\""),
        (#"{"data_quality": {"staleAfterCycles": 3}}"#, "unknown key \"staleAfterCycles\""),
    ])
    func badKeys(json: String, reason: String) {
        do {
            _ = try Self.policy(json)
            Issue.record("accepted \(json)")
        } catch {
            #expect("\(error)".contains(reason), "\(error)")
        }
    }

    @Test("the data-quality block in snake_case, with the frequency range following the transformer")
    func dataQuality() throws {
        let policy = try Self.policy("""
            {"transformer": {"nominal_hz": 50},
             "data_quality": {"stale_after_cycles": 5, "frozen_after_samples": 4, "plausible_voltage_pu": [0, 1.6],
                              "max_current_a": 800, "max_phase_active_power_kw": 200, "max_phase_reactive_power_kvar": 150}}
            """)
        try policy.validate()
        let quality = policy.dataQuality
        #expect(quality.staleAfterCycles == 5 && quality.frozenAfterSamples == 4 && quality.plausibleVoltagePU == 0...1.6)
        #expect(quality.maxCurrentA == 800 && quality.maxPhaseActivePowerKW == 200 && quality.maxPhaseReactivePowerKvar == 150)
        let range = policy.protectionMonitor.plausibleFrequencyHz
        #expect(abs(range.lowerBound - 33.333) < 1e-3 && abs(range.upperBound - 58.333) < 1e-3)
        let bad = try Self.refusal(#"{"data_quality": {"stale_after_cycles": 0}}"#)
        #expect(bad.field == "data_quality.stale_after_cycles")
        let narrow = try Self.refusal(#"{"data_quality": {"plausible_frequency_hz": [57, 63]}}"#)
        #expect(narrow.field == "data_quality.plausible_frequency_hz" && narrow.message.contains("trip.uf2.pickup"))
    }

    @Test("the clearing notice names the functions a cycle period cannot clear in time")
    func clearingNotice() throws {
        let monitor = ProtectionMonitor(category: .ii, nominalHz: 60)
        #expect(monitor.functionsBeyondReach(cyclePeriodS: 1) == [.ov2, .uv2, .of2, .uf2])
        #expect(monitor.functionsBeyondReach(cyclePeriodS: 2.5) == [.ov2, .ov1, .uv2, .of2, .uf2])
        #expect(ProtectionMonitor(category: .iii, nominalHz: 60).functionsBeyondReach(cyclePeriodS: 1) == [.ov2, .of2, .uf2])
        let notice = try #require(monitor.clearingNotice(cyclePeriodS: 2.5))
        #expect(notice.code == .clearingTimeUnreachable)
        for part in ["OV1 (2 s)", "UV2 (0.16 s)", "certified protection"] { #expect(notice.message.contains(part)) }
        // The cycle raises it as a protection decision, so the agent logs it once and lists it in status.
        var policy = Fixture.unramped
        policy.cyclePeriodS = 2.5
        let outcome = Fixture.run(policy, CycleInputs(meter: Fixture.meter(), ambientC: 20, chargers: []))
        #expect(outcome.has("CLEARING_TIME_UNREACHABLE"))
    }
}
