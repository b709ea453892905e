import FoundationEssentials
import GridCore
import Testing
@testable import MeshPlanner

/// The live state report as the aggregator reads it: refused with the field named, converted for the planner by
/// stated rules, and planned on.
@Suite struct StateReportDocumentTests {
    static let now = Timestamp(rfc3339: "2027-01-15T18:00:00Z")!

    static let report = """
        {"agent_id": "tx-017", "sequence": 5, "at": "2027-01-15T17:59:58Z", "mode": "regulating", "policy_version": 7,
         "envelope_sequence": 41, "rated_kva": 100, "discharge_enabled": true,
         "phases": {"A": {"p_kw": 20, "q_kvar": 1, "v_v": 230, "i_a": 87},
                    "B": {"p_kw": 10, "q_kvar": 1, "v_v": 231, "i_a": 44},
                    "C": {"p_kw": 12, "q_kvar": 1, "v_v": 229, "i_a": 52}},
         "thermal": {"top_oil_c": 40, "hot_spot_c": 50, "forecast_hot_spot_c": 55, "ambient_c": 10, "parameters": {},
                     "hot_spot_limit_c": 98, "margin_k": 1, "horizon_min": 15, "load_kva": 42, "allowed_kva": 120, "headroom_kva": 78},
         "chargers": [{"id": "c1", "phase": "A", "online": true, "p_kw": 7, "setpoint_kw": 7, "rated_charge_kw": 11,
                       "rated_discharge_kw": 11, "rated_kva": 11,
                       "ev": {"soc_pct": 60, "energy_available_kwh": 24, "energy_to_full_kwh": 24, "energy_needed_kwh": 10,
                              "departure": "2027-01-15T20:00:00Z", "discharge_allowed": true, "charge_past_target": false}},
                      {"id": "c2", "phase": "ABC", "online": true, "p_kw": 0, "rated_charge_kw": 22, "rated_discharge_kw": 0,
                       "rated_kva": 22}]}
        """

    static func decode(_ text: String) throws -> StateReportDocument {
        try JSONDecoder().decode(StateReportDocument.self, from: Data(text.utf8))
    }

    /// `.path: message` of a refusal, as a decoder names it.
    static func failure(_ text: String) -> String {
        func path(_ keys: [any CodingKey]) -> String { keys.map { $0.intValue.map { "[\($0)]" } ?? "." + $0.stringValue }.joined() }
        do {
            _ = try decode(text)
            return "decoded"
        } catch let DecodingError.dataCorrupted(context) {
            return path(context.codingPath) + ": " + context.debugDescription
        } catch let DecodingError.keyNotFound(key, context) {
            return path(context.codingPath + [key]) + ": missing"
        } catch {
            return "\(error)"
        }
    }

    @Test func aGoodReportDecodes() throws {
        let document = try Self.decode(Self.report)
        #expect(document.agentID == "tx-017" && document.sequence == 5 && document.mode == .regulating && document.envelopeSequence == 41)
        #expect(document.at == Timestamp(rfc3339: "2027-01-15T17:59:58Z") && document.thermal.parameters == .onanDistribution)
        #expect(document.chargers[1].connection == .threePhase && document.chargers[1].ev == nil)
        // What the encoder writes reads back the same.
        let again = try JSONDecoder().decode(StateReportDocument.self, from: JSONEncoder().encode(document))
        #expect(again == document)
    }

    @Test(arguments: [
        ("\"rated_kva\": 100", "\"rated_kva\": -5", ".rated_kva: rated_kva = -5.0 is outside the allowed range 1.0…100000.0 kVA"),
        ("\"sequence\": 5", "\"sequence\": 0", ".sequence: sequence = 0.0 must be a whole number in 1…"),
        ("\"sequence\": 5", "\"sequence\": 2.5", ".sequence: sequence = 2.5 must be a whole number"),
        ("\"policy_version\": 7", "\"policy_version\": -1", ".policy_version: policy_version = -1.0 must be a whole number"),
        ("\"envelope_sequence\": 41", "\"envelope_sequence\": 0", ".envelope_sequence: envelope_sequence = 0.0"),
        ("\"at\": \"2027-01-15T17:59:58Z\"", "\"at\": \"yesterday\"", ".at: at must be RFC 3339"),
        ("\"mode\": \"regulating\"", "\"mode\": \"dancing\"", ".mode: "),
        ("\"agent_id\": \"tx-017\"", "\"agent_id\": \"\"", ".agent_id: agent_id must be 1 to 128 characters"),
        ("\"p_kw\": 10", "\"p_kw\": 1e9", ".phases.B.p_kw: p_kw = 1000000000.0 is outside"),
        ("\"i_a\": 52", "\"i_a\": -52", ".phases.C.i_a: i_a = -52.0 is outside"),
        ("\"ambient_c\": 10", "\"ambient_c\": 80", ".thermal.ambient_c: ambient_c = 80.0 is outside"),
        ("\"hot_spot_c\": 50", "\"hot_spot_c\": 500", ".thermal.hot_spot_c: hot_spot_c = 500.0 is outside"),
        ("\"parameters\": {}", "\"parameters\": {\"tau_o_min\": 0}", ".thermal.parameters: tau_o_min = 0.0 is outside"),
        ("\"margin_k\": 1", "\"margin_k\": 11", ".thermal.margin_k: margin_k = 11.0 is outside"),
        ("\"headroom_kva\": 78", "\"headroom_kva\": 78, \"colour\": 1", ".thermal.colour: unknown key \"colour\""),
        ("\"setpoint_kw\": 7", "\"setpoint_kw\": 7000", ".chargers[0].setpoint_kw: setpoint_kw = 7000.0 is outside"),
        ("\"rated_kva\": 22", "\"rated_kva\": -1", ".chargers[1].rated_kva: rated_kva = -1.0 is outside"),
        ("\"phase\": \"ABC\"", "\"phase\": \"D\"", ".chargers[1].phase: phase connection must be"),
        ("\"soc_pct\": 60", "\"soc_pct\": 160", ".chargers[0].ev.soc_pct: soc_pct = 160.0 is outside"),
        ("\"energy_needed_kwh\": 10", "\"energy_needed_kwh\": -10", ".chargers[0].ev.energy_needed_kwh: energy_needed_kwh = -10.0"),
        ("\"departure\": \"2027-01-15T20:00:00Z\"", "\"departure\": \"soon\"", ".chargers[0].ev.departure: departure must be RFC 3339"),
        ("\"p_kw\": 7,", "\"p_kw\": 7, \"colour\": \"red\",", ".chargers[0].colour: unknown key \"colour\""),
        ("\"discharge_enabled\": true,", "\"discharge_enabled\": true, \"extra\": 1,", ".extra: unknown key \"extra\""),
        ("\"discharge_enabled\": true,", "", ".discharge_enabled: missing"),
        ("\"charge_past_target\": false", "\"x\": 1", ".chargers[0].ev.x: unknown key"),
        ("\"id\": \"c2\"", "\"id\": \"c1\"", ".chargers[1].id: id \"c1\" appears twice"),
    ])
    func aBadValueNamesItsField(good: String, bad: String, expected: String) {
        #expect(Self.report.contains(good))
        let message = Self.failure(Self.report.replacing(good, with: bad, maxReplacements: 1))
        #expect(message.hasPrefix(expected), "\(message)")
    }

    @Test func theConversionCarriesWhatThePlannerReads() throws {
        let report = try Self.decode(Self.report).transformerReport()
        #expect(report.id == "tx-017" && report.reportTime == Timestamp(rfc3339: "2027-01-15T17:59:58Z") && report.ratedKVA == 100)
        #expect(report.phases.b == PhaseMeasurement(activePowerKW: 10, reactivePowerKvar: 1, voltageV: 231, currentA: 44))
        #expect(report.thermal == TransformerThermalReport(topOilC: 40, hotSpotC: 50, ambientC: 10))
        #expect(report.phaseBalanceLimitKW == nil)
        let c1 = report.chargers[0]
        #expect(c1.connection == .single(.a) && c1.powerKW == 7 && c1.ratedChargeKW == 11 && c1.ratedDischargeKW == 11 && c1.online)
        #expect(c1.ev == EVReport(
            socPercent: 60, energyAvailableKWh: 24, energyNeededKWh: 10, departure: Timestamp(rfc3339: "2027-01-15T20:00:00Z"),
            v2gAgreed: true, energyRoomKWh: nil))
        #expect(report.chargers[1].ev == nil && report.chargers[1].ratedKVA == 22)

        // The planner takes it: a discharge goal is met from c1, the only EV that may discharge.
        let goal = NeighborhoodGoal(id: "evening", start: Self.now + -60, end: Self.now + 3_600, action: .discharge(kilowatts: 5))
        let plan = MeshPlanner.plan(NeighborhoodSnapshot(transformers: [report]), goals: [goal], now: Self.now)
        #expect(plan.leftOut.isEmpty)
        #expect(plan.goal?.met == true && plan.transformers.first?.plannedKW.map { abs($0 + 5) < 1e-6 } == true)
    }

    @Test(arguments: [
        ("\"mode\": \"regulating\"", "\"mode\": \"safe_state\"", "mode: safe_state"),
        ("\"p_kw\": 20, ", "", "phases.A.p_kw: the meter gave no active power"),
        ("\"p_kw\": 10, \"q_kvar\": 1,", "\"p_kw\": 10,", "phases.B.q_kvar: the meter gave no reactive power"),
        ("\"top_oil_c\": 40, ", "", "thermal.top_oil_c: no thermal estimate yet"),
        ("\"hot_spot_c\": 50, ", "", "thermal.hot_spot_c: no thermal estimate yet"),
    ])
    func aReportThePlannerWouldGuessOnIsRefused(good: String, bad: String, expected: String) throws {
        #expect(Self.report.contains(good))
        let document = try Self.decode(Self.report.replacing(good, with: bad, maxReplacements: 1))
        #expect(throws: StateReportRefusal.self) { try document.transformerReport() }
        do {
            _ = try document.transformerReport()
        } catch {
            #expect(error.description.hasPrefix(expected), "\(error)")
            #expect(error.label == "state.unplannable")
        }
    }

    @Test func noMeterReadingIsRefusedNamingPhases() throws {
        var document = try Self.decode(Self.report)
        document.phases = nil
        #expect(throws: StateReportRefusal("phases", "no meter reading this cycle")) { try document.transformerReport() }
    }

    @Test func eachGapHasItsStatedReading() throws {
        var document = try Self.decode(Self.report)
        // A stopped agent: its chargers planned at 0, its household still counted.
        document.mode = .ceased
        #expect(try document.transformerReport().chargers.allSatisfy { !$0.online })
        document.mode = .regulating
        // A charger whose draw is unknown is planned at 0, as one the agent lost.
        document.chargers[0].activePowerKW = nil
        #expect(try document.transformerReport().chargers.map(\.online) == [false, true])
        document.chargers[0].activePowerKW = 7
        // Unknown need: to full, as the agent's own plan; consent past the target: room to full.
        document.chargers[0].ev?.energyNeededKWh = nil
        document.chargers[0].ev?.chargePastTarget = true
        var ev = try #require(try document.transformerReport().chargers[0].ev)
        #expect(ev.energyNeededKWh == 24 && ev.energyRoomKWh == 24)
        // Unknown SoC: nothing to count on, so no need, no room, no discharge.
        document.chargers[0].ev = StateReportDocument.EV(socPercent: nil, dischargeAllowed: true, chargePastTarget: true)
        ev = try #require(try document.transformerReport().chargers[0].ev)
        #expect(ev.energyNeededKWh == 0 && ev.energyRoomKWh == nil && !ev.v2gAgreed && ev.socPercent == 0)
        // The policy's master switch forbids discharge whatever the driver agreed.
        document.chargers[0].ev = StateReportDocument.EV(socPercent: 60, energyAvailableKWh: 24, energyToFullKWh: 24, dischargeAllowed: true)
        document.dischargeEnabled = false
        #expect(try document.transformerReport().chargers[0].ev?.v2gAgreed == false)
        // A winding estimate below its oil (a falling load) is planned from a rise of 0.
        document.thermal.hotSpotC = 39
        #expect(try document.transformerReport().thermal.hotSpotC == 40)
    }
}
