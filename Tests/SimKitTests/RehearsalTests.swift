import FoundationEssentials
import GridCore
@testable import SimKit
import Testing

@Suite("Rehearsal: the closed loop in process, baseline and agent side by side")
struct RehearsalTests {
    @Test("by default both runs go to the last departure; the JSON keeps the contract's names")
    func contract() throws {
        let scenario = try Fixtures.example("pv-afternoon")
        var rehearsal = Rehearsal(scenario: scenario, policy: scenario.sitePolicy(), until: scenario.startTime + 1800)
        #expect(Rehearsal(scenario: scenario, policy: scenario.sitePolicy()).end == scenario.lastDeparture)
        rehearsal.run()
        let object = try JSONDecoder().decode([String: Figures].self, from: Data(rehearsal.json()))
        #expect(Set(object.keys) == ["baseline", "agent"])
        let agent = try #require(object["agent"])
        #expect(agent.elapsed_s == 1800)
        #expect(Set(agent.neutral_current_a.keys).isSuperset(of: ["mean", "max_1min", "max_10min"]))
        #expect(Set(agent.vuf_pct.keys).isSuperset(of: ["p95_10min", "max_10min"]))
        #expect(agent.hot_spot_c.keys.contains("max"))
        #expect(agent.setpoint_lapses == 0)
        #expect(agent.evs.allSatisfy { Set($0.keys).isSuperset(of: Self.evKeys) })
        #expect(rehearsal.agentModeSeconds[.regulating] == 1800)
    }

    static let evKeys: Set<String> = [
        "id", "needed_kwh", "delivered_kwh", "shortfall_kwh", "charged_past_target_kwh", "discharged_kwh", "min_soc_pct",
    ]

    /// The JSON as a reader sees it (names only: `Double?` where the contract allows null).
    struct Figures: Decodable {
        var elapsed_s: Double
        var neutral_current_a: [String: Double?]
        var vuf_pct: [String: Double?]
        var hot_spot_c: [String: Double?]
        var voltage_outside_band_s: Double
        var setpoint_lapses: Int
        var ev_shortfall_kwh: Double
        var evs: [[String: Value]]
    }

    enum Value: Decodable {
        case number(Double), text(String), flag(Bool), none
        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if c.decodeNil() { self = .none } else if let d = try? c.decode(Double.self) { self = .number(d) }
            else if let b = try? c.decode(Bool.self) { self = .flag(b) } else { self = .text(try c.decode(String.self)) }
        }
    }

    @Test("an overloaded transformer whose meter freezes: no charger's power rises in the safe state")
    func frozenMeterOnAHotTransformer() throws {
        var scenario = try Fixtures.example("overload-evening")
        let policy = scenario.sitePolicy()
        // First pass: when does the thermal limit bite?
        var probe = InProcessLoop(scenario: scenario, policy: policy)
        var cappedAt: Timestamp?
        while cappedAt == nil, !probe.isFinished {
            let time = probe.simulation.time
            if probe.step()?.decisions.contains(where: { $0.code == "THERMAL_LIMIT" || $0.code == "REVERSE_FLOW_DENIED" }) == true {
                cappedAt = time
            }
        }
        let freezeAt = try #require(cappedAt) + 1200
        let event = "{\"kind\": \"meter_frozen\", \"start\": \(freezeAt.secondsSinceEpoch), \"duration_s\": 300}"
        scenario.events.append(try JSONDecoder().decode(ScenarioEvent.self, from: Data(event.utf8)))

        var loop = InProcessLoop(scenario: scenario, policy: policy)
        loop.run(until: freezeAt)
        var beforeKW: [String: Double] = [:]
        var safeCycles = 0
        var risen: [String] = []
        while loop.simulation.time < freezeAt + 360 {
            let seen = loop.simulation.observe()
            let outcome = loop.step()
            if outcome?.mode == .safeState {
                safeCycles += 1
                for charger in seen.chargers {
                    let before = beforeKW[charger.id] ?? 0
                    if charger.measuredKW > before + 0.05 { risen.append("\(charger.id) \(before) → \(charger.measuredKW) kW") }
                }
                #expect(outcome?.setpoints.allSatisfy { $0.activePowerKW >= 0 } == true)
            } else if safeCycles == 0 {
                beforeKW = Dictionary(uniqueKeysWithValues: seen.chargers.map { ($0.id, max($0.measuredKW, 0)) })
            }
        }
        #expect(safeCycles >= 250, "the frozen meter must put the agent in the safe state: \(safeCycles) cycles")
        #expect(risen.isEmpty, "\(risen.prefix(5))")
        #expect(loop.simulation.metrics.hotSpotPeakC <= policy.thermal.hotSpotLimitC)
    }
}
