import AggregatorKit
import AggregatorServer
import Foundation
import GridCore
import MeshPlanner
import PolicyTrust
import Telemetry
import Testing

/// The frame builder alone: boards in, frame out, no I/O.
struct DashboardFrameTests {
    static let now = Timestamp(secondsSinceEpoch: 1_780_000_000)

    static func report(
        _ id: String, kw: (Double, Double, Double) = (10, 10, 10), volts: (Double, Double, Double) = (230, 230, 230),
        hotSpotC: Double = 80, chargers: [ChargerReport] = [], at time: Timestamp = now
    ) -> FleetStateBoard.Entry {
        func phase(_ kw: Double, _ volts: Double) -> PhaseMeasurement {
            PhaseMeasurement(activePowerKW: kw, voltageV: volts, currentA: volts > 0 ? kw * 1000 / volts : 0)
        }
        let phases = PerPhase(a: phase(kw.0, volts.0), b: phase(kw.1, volts.1), c: phase(kw.2, volts.2))
        let report = TransformerReport(
            id: id, reportTime: time, ratedKVA: 150, phases: phases,
            thermal: TransformerThermalReport(topOilC: 60, hotSpotC: hotSpotC, ambientC: 20, hotSpotLimitC: 98), chargers: chargers)
        return FleetStateBoard.Entry(report: report, sequence: 1, receivedAt: time)
    }

    /// VUF from magnitudes at 0°, −120°, +120°, written out independently: |V2|/|V1| with a = 1∠120°.
    static func expectedVUF(_ va: Double, _ vb: Double, _ vc: Double) -> Double {
        func polar(_ m: Double, _ degrees: Double) -> (Double, Double) { (m * cos(degrees * .pi / 180), m * sin(degrees * .pi / 180)) }
        // Va at 0°, Vb at −120°, Vc at +120°. V1 = (Va + a Vb + a² Vc)/3 brings Vb and Vc to 0°; V2 = (Va + a² Vb + a Vc)/3
        // turns them to +120° and +240° (the 1/3 cancels in the ratio).
        let a = polar(va, 0), b1 = polar(vb, 0), c1 = polar(vc, 0), b2 = polar(vb, 120), c2 = polar(vc, 240)
        let v1 = (a.0 + b1.0 + c1.0, a.1 + b1.1 + c1.1)
        let v2 = (a.0 + b2.0 + c2.0, a.1 + b2.1 + c2.1)
        return (v2.0 * v2.0 + v2.1 * v2.1).squareRoot() / (v1.0 * v1.0 + v1.1 * v1.1).squareRoot() * 100
    }

    @Test func aStateReportGivesLoadingThermalVoltageAndNeutral() throws {
        let entry = Self.report("tx-1", kw: (23, 0, 0), volts: (230, 220, 240), hotSpotC: 90)
        let frame = DashboardFrame(DashboardInputs(now: Self.now + 3, fleet: [entry]))
        let transformer = try #require(frame.transformers.first)
        #expect(transformer.source == .state)
        #expect(abs(transformer.ageS - 3) < 1e-9)
        #expect(!transformer.stale)
        // 23 kW on one phase of a 150 kVA transformer: 46 % of that phase's 50 kVA, 15.3 % of the whole.
        #expect(abs(transformer.phases[0].loadingPercent! - 46) < 1e-9)
        #expect(transformer.phases[1].loadingPercent == 0)
        #expect(abs(transformer.loadingPercent! - 23.0 / 150 * 100) < 1e-9)
        #expect(transformer.importKW == 23)
        // All the current on phase A returns in the neutral: 23 kW / 230 V = 100 A.
        #expect(abs(transformer.neutralA! - 100) < 1e-6)
        #expect(abs(transformer.vufPercent! - Self.expectedVUF(230, 220, 240)) < 1e-9)
        #expect(transformer.vufPercent! > 1)
        #expect(transformer.voltageInBand)
        #expect(abs(transformer.phases[1].voltagePerUnit! - 220.0 / 230) < 1e-12)
        let thermal = try #require(transformer.thermal)
        #expect(thermal.hotSpotLimitC == 98 && !thermal.limitAssumed && thermal.headroomK == 8)
        #expect(frame.voltageBand.lowPerUnit == 0.9 && frame.voltageBand.highPerUnit == 1.1 && frame.voltageBand.nominalV == 230)
        #expect(frame.point?.transformers.first?.hotSpotC == 90)
    }

    @Test func balancedPhasesHaveNoUnbalanceAndNoNeutralCurrent() {
        let frame = DashboardFrame(DashboardInputs(now: Self.now, fleet: [Self.report("tx-1")]))
        #expect(frame.transformers[0].vufPercent! < 1e-9)
        #expect(frame.transformers[0].neutralA! < 1e-6)
    }

    @Test func aVoltageOutsideTheBandIsFlagged() {
        let high = DashboardFrame(DashboardInputs(now: Self.now, fleet: [Self.report("tx-1", volts: (230, 230, 252.5))]))
        #expect(high.transformers[0].voltageInBand)  // 1.098 pu
        let over = DashboardFrame(DashboardInputs(now: Self.now, fleet: [Self.report("tx-1", volts: (230, 230, 253.5))]))
        #expect(!over.transformers[0].voltageInBand)  // 1.102 pu
        let low = DashboardFrame(
            DashboardInputs(now: Self.now, fleet: [Self.report("tx-1", volts: (120, 108.5, 120))]),
            settings: DashboardSettings(nominalPhaseVoltageV: 120))
        #expect(low.transformers[0].voltageInBand)  // 0.904 pu
        #expect(low.voltageBand.source.contains("120 V"))
    }

    @Test func evsAndEnvelopeAreShownAndTotalsCountOnlyFreshTransformers() throws {
        let chargers = [
            ChargerReport(
                id: "bay-1", connection: .single(.b), powerKW: 7, ratedChargeKW: 11,
                ev: EVReport(socPercent: 55, energyAvailableKWh: 20, energyNeededKWh: 12, departure: Self.now + 3_600, v2gAgreed: true)),
            ChargerReport(id: "bay-2", connection: .threePhase, powerKW: -3, ratedChargeKW: 11, ratedDischargeKW: 11),
        ]
        let envelope = EnvelopeDocument(
            agentID: "tx-1", sequence: 4, issuedAt: Self.now, validUntil: Self.now + 60,
            phaseKW: PerPhase(a: -5...5, b: 0...7, c: -2...3), reactiveBiasKvar: 1.5)
        let stale = Self.report("tx-2", kw: (50, 50, 50), at: Self.now + (-600))
        let frame = DashboardFrame(DashboardInputs(now: Self.now, fleet: [Self.report("tx-1", chargers: chargers), stale], envelopes: [envelope]))
        let fresh = frame.transformers[0]
        #expect(fresh.evs.map(\.charger) == ["bay-1", "bay-2"])
        #expect(fresh.evs[0].connection == "B" && fresh.evs[0].socPercent == 55 && fresh.evs[0].energyNeededKWh == 12)
        #expect(fresh.evs[0].departureMs == Int64((Self.now.secondsSinceEpoch + 3_600) * 1000))
        #expect(fresh.evs[1].socPercent == nil)
        #expect(fresh.evKW == 4)
        let shown = try #require(fresh.envelope)
        #expect(shown.sequence == 4 && shown.reactiveBiasKvar == 1.5)
        #expect(shown.phases.map(\.phase) == ["A", "B", "C"] && shown.phases[1].minKW == 0 && shown.phases[1].maxKW == 7)
        #expect(frame.transformers[1].stale && frame.transformers[1].envelope == nil)
        #expect(frame.totals.transformers == 2 && frame.totals.stale == 1)
        #expect(frame.totals.importKW == 30 && frame.totals.evKW == 4 && frame.totals.evsPlugged == 1)
    }

    @Test func telemetryFillsInForAnAgentWithoutAStateReport() throws {
        func sample(_ name: String, _ quanta: Int64) throws -> LatestSample {
            LatestSample(channel: try ChannelSpec(name: name), timeMs: 0, quanta: quanta)
        }
        let nowMs = Int64(Self.now.secondsSinceEpoch * 1000)
        let telemetry = AgentFleetState(
            agentID: "tx-9", lastSeenMs: nowMs - 4_000, highestSequence: 3, acknowledgedThrough: 3, batches: 3,
            latest: [
                try sample("phase_a_v", 2_301), try sample("phase_b_v", 2_290), try sample("phase_c_v", 2_310),
                try sample("phase_a_kw", 1_200), try sample("phase_b_kw", 800), try sample("phase_c_kw", 300),
                try sample("hot_spot_c", 715), try sample("top_oil_c", 550), try sample("vuf_pct", 12),
                try sample("charger_1_kw", 700), try sample("charger_1_soc_pct", 613), try sample("charger_2_kw", -250),
            ])
        // tx-1 has both: its state report wins.
        let both = AgentFleetState(agentID: "tx-1", lastSeenMs: nowMs, highestSequence: 1, acknowledgedThrough: 1, batches: 1, latest: [])
        let frame = DashboardFrame(DashboardInputs(now: Self.now, fleet: [Self.report("tx-1")], telemetry: [telemetry, both]))
        #expect(frame.transformers.map(\.id) == ["tx-1", "tx-9"])
        #expect(frame.transformers[0].source == .state)
        let fallback = frame.transformers[1]
        #expect(fallback.source == .telemetry && fallback.ageS == 4 && fallback.ratedKVA == nil && fallback.loadingPercent == nil)
        #expect(fallback.phases.map(\.voltageV) == [230.1, 229, 231])
        #expect(fallback.importKW == 23)
        #expect(fallback.vufPercent == 1.2)  // the agent's own, not recomputed
        let thermal = try #require(fallback.thermal)
        #expect(thermal.hotSpotC == 71.5 && thermal.hotSpotLimitC == 98 && thermal.limitAssumed)
        #expect(fallback.evs.map(\.powerKW) == [7, -2.5] && fallback.evs[0].socPercent == 61.3 && fallback.evs[1].socPercent == nil)
        #expect(fallback.evKW == 4.5)
    }

    @Test func aPlanWithoutAchievementsIsFilledFromWhatTheFleetDoes() {
        let chargers = [
            ChargerReport(id: "a", connection: .single(.a), powerKW: -6, ratedChargeKW: 11, ratedDischargeKW: 11),
            ChargerReport(id: "abc", connection: .threePhase, powerKW: -9, ratedChargeKW: 11, ratedDischargeKW: 11),
        ]
        let plan = DashboardPlanSummary(
            timeMs: 1, goals: [.init(id: "g1", kind: "discharge", targetKW: -20, plannedKW: -16)],
            transformers: [
                .init(id: "tx-1", plannedKW: -16, phases: [.init(phase: "A", plannedKW: -8), .init(phase: "B", plannedKW: -4, achievedKW: -1)]),
                .init(id: "tx-gone", plannedKW: 0),
            ])
        let frame = DashboardFrame(DashboardInputs(now: Self.now, fleet: [Self.report("tx-1", chargers: chargers)], plan: plan))
        let filled = frame.plan!
        #expect(filled.transformers[0].achievedKW == -15)
        #expect(filled.transformers[0].phases[0].achievedKW == -9)  // −6 on A and a third of −9
        #expect(filled.transformers[0].phases[1].achievedKW == -1)  // given: kept
        #expect(filled.transformers[1].achievedKW == nil)  // no report: no achievement invented
        #expect(filled.goals[0].achievedKW == -15)
        #expect(frame.point?.goal?.plannedKW == -16 && frame.point?.goal?.achievedKW == -15)
    }

    @Test func theFrameEncodesWithSnakeCaseKeysAndNoNonFiniteNumbers() throws {
        let frame = DashboardFrame(DashboardInputs(now: Self.now, fleet: [Self.report("tx-1", volts: (0, 0, 0))]))
        #expect(frame.transformers[0].vufPercent == nil && frame.transformers[0].neutralA == nil)
        let json = String(decoding: ResponseJSON.encode(frame), as: UTF8.self)
        #expect(!json.contains("response.encoding"))
        #expect(json.contains("\"voltage_band\"") && json.contains("\"hot_spot_limit_c\"") && json.contains("\"time_ms\""))
    }
}

/// The `dashboard` section of the aggregator's configuration.
struct DashboardConfigTests {
    static let tls = #""tls":{"ca_file":"a","cert_file":"b","key_file":"c","crl_file":"d"}"#

    @Test func theSectionIsOptionalAndSetsTheNominalVoltageAndTheStreamBound() throws {
        #expect(try AggregatorConfig.parse(Array("{\(Self.tls)}".utf8)).dashboard == .init(nominalPhaseVoltageV: 230, maxStreams: 16))
        let config = try AggregatorConfig.parse(Array(#"{\#(Self.tls),"dashboard":{"nominal_phase_voltage_v":120,"max_streams":4}}"#.utf8))
        #expect(config.dashboard.maxStreams == 4)
        #expect(config.dashboard.settings.nominalPhaseVoltageV == 120)
    }

    @Test(arguments: [
        (#""dashboard":{"nominal_phase_voltage_v":0}"#, "dashboard.nominal_phase_voltage_v"),
        (#""dashboard":{"max_streams":0}"#, "dashboard.max_streams"),
        (#""dashboard":{"nominal_voltage_v":230}"#, "nominal_voltage_v"),
        (#""dashboard":{"max_streams":"many"}"#, "dashboard.max_streams"),
    ])
    func badValuesAreRefusedNamingTheKey(section: String, key: String) throws {
        let error = try #require(throws: AggregatorError.self) { try AggregatorConfig.parse(Array("{\(Self.tls),\(section)}".utf8)) }
        #expect(error.message.contains(key), "\(error.message)")
    }
}
