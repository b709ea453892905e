@testable import GridCore
import Testing

/// A refused policy names the field, the value and the allowed range, whichever block it is in.
@Suite("Policy: range problems")
struct PolicyValidationTests {
    @Test("a curve error reads as the policy field with its value and range, not a bare code")
    func curveMessage() throws {
        var policy = ControlPolicy()
        policy.voltVar.v1PU = 0.70
        let error = try #require(throws: PolicyError.self) { try policy.validate() }
        #expect(error.field == "volt_var.v1_pu")
        #expect(error.message.hasPrefix("volt_var.v1_pu = 0.7 is outside the allowed range 0.82…0.96 (IEEE 1547-2018 Table 8"), "\(error.message)")
        #expect(!error.message.contains("curve_out_of_range"))
    }

    @Test("thermal parameters and protection settings keep their detail too")
    func otherBlocks() throws {
        var policy = ControlPolicy()
        policy.thermal.parameters.oilExponent = 5
        policy.trip.overrides[.ov1] = .init(clearingTimeS: 99)
        let problems = policy.problems()
        #expect(problems.map(\.field) == ["thermal.parameters.x", "trip.ov1.clearing_time_s"], "\(problems)")
        #expect(problems[0].message.contains("= 5.0 is outside the allowed range 0.5…2.0"), "\(problems[0].message)")
        #expect(problems[1].message.contains("99 s is outside the allowed range 1–13 s"), "\(problems[1].message)")
    }

    @Test("every problem is listed, in key order")
    func allProblems() {
        var policy = ControlPolicy()
        policy.cyclePeriodS = 20
        policy.voltWatt.v1PU = 1.2
        policy.write.rampKWPerS = 0
        policy.fallbackChargeKW = -1
        #expect(policy.problems().map(\.field) == ["cycle_period_s", "volt_watt.v1_pu", "write.ramp_kw_per_s", "fallback_charge_kw"])
        #expect(ControlPolicy().problems().isEmpty)
    }

    @Test("a droop nominal other than the transformer's is refused")
    func droopNominal() throws {
        var policy = ControlPolicy()
        policy.transformer.nominalHz = 60
        policy.frequencyDroop.nominalHz = 50
        let error = try #require(throws: PolicyError.self) { try policy.validate() }
        #expect(error.field == "frequency_droop.nominal_hz")
        #expect(error.message == "frequency_droop.nominal_hz = 50.0 is outside the allowed range 60.0 (transformer.nominal_hz)")
    }

    @Test("a droop block without nominal_hz takes the transformer's")
    func droopNominalDefault() throws {
        let policy = try decodeJSON(ControlPolicy.self, #"""
            {"transformer": {"nominal_hz": 50},
             "trip": {"category": "II"},
             "frequency_droop": {"db_of_hz": 0.036, "db_uf_hz": 0.036, "k_of": 0.05, "k_uf": 0.05, "response_time_s": 5}}
            """#)
        #expect(policy.frequencyDroop.nominalHz == 50)
        #expect(policy.problems().isEmpty, "\(policy.problems())")
        let written = try decodeJSON(ControlPolicy.self, #"{"frequency_droop": {"nominal_hz": 50, "db_of_hz": 0.036, "db_uf_hz": 0.036, "k_of": 0.05, "k_uf": 0.05, "response_time_s": 5}}"#)
        #expect(written.frequencyDroop.nominalHz == 50 && written.problems().map(\.field) == ["frequency_droop.nominal_hz"])
    }

    @Test("the droop block refuses unknown keys")
    func droopUnknownKey() {
        #expect(throws: (any Error).self) {
            try decodeJSON(ControlPolicy.self, #"{"frequency_droop": {"db_of_hz": 0.036, "db_uf_hz": 0.036, "k_of": 0.05, "k_uf": 0.05, "response_time_s": 5, "kof": 1}}"#)
        }
    }
}
