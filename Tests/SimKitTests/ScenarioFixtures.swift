import FoundationEssentials
import GridCore
@testable import SimKit

/// Shared fixtures: the shipped example scenarios and small hand-made feeders.
enum Fixtures {
    static let start = 1_752_598_800.0  // 2025-07-15 17:00 UTC

    /// The bytes of `examples/scenarios/<name>.json`, found from this file's path.
    static func exampleBytes(_ name: String) throws -> [UInt8] {
        var root = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        root.removeLast(3)  // Tests/SimKitTests/ScenarioFixtures.swift
        let path = root.joined(separator: "/") + "/examples/scenarios/\(name).json"
        return [UInt8](try Data(contentsOf: URL(filePath: path)))
    }

    static func example(_ name: String) throws -> Scenario {
        try Scenario.decode(from: exampleBytes(name))
    }

    /// One EV session as JSON, times in seconds after `start`.
    static func session(
        arriveS: Double = 0, departS: Double = 36_000, kwh: Double = 60, soc: Double = 30, target: Double = 90,
        requestKW: Double = 7.4, v2g: Bool = true
    ) -> String {
        """
        {"arrival": \(start + arriveS), "departure": \(start + departS), "battery_kwh": \(kwh), "arrival_soc_pct": \(soc),
         "target_soc_pct": \(target), "requested_kw": \(requestKW), "v2g_allowed": \(v2g)}
        """
    }

    static func charger(_ id: String, phase: String = "A", sessions: [String]? = [session()], responseS: Double = 1) -> String {
        let list = sessions.map { ", \"sessions\": [\($0.joined(separator: ", "))]" } ?? ""
        return """
        {"id": "\(id)", "phase": "\(phase)", "rated_charge_kw": 7.4, "rated_discharge_kw": 7.4, "rated_kva": 7.4,
         "response_time_s": \(responseS)\(list)}
        """
    }

    /// A 100 kVA feeder with flat 1.0 pu upstream, no household noise, and the given chargers and events.
    static func feederJSON(
        chargers: [String], events: [String] = [], baseKW: (a: Double, b: Double, c: Double) = (0, 0, 0),
        seed: UInt64 = 1, durationS: Double = 86_400, extra: String = ""
    ) -> String {
        """
        {"seed": \(seed), "start_time": \(start), "duration_s": \(durationS),
         "transformer": {"rated_kva": 100, "nominal_phase_voltage_v": 230, "impedance_pct": 4, "x_over_r": 1.5},
         "upstream_voltage_pu": [{"hour": 0, "value": 1.0}],
         "ambient_c": [{"hour": 0, "value": 20}],
         "frequency": {"nominal_hz": 60, "noise_hz": 0},
         "base_load": {"profile": [{"hour": 0, "kw": {"A": \(baseKW.a), "B": \(baseKW.b), "C": \(baseKW.c)}}],
                       "noise_pct": 0, "power_factor": 1},
         "chargers": [\(chargers.joined(separator: ", "))],
         "events": [\(events.joined(separator: ", "))]\(extra)}
        """
    }

    static func feeder(
        chargers: [String], events: [String] = [], baseKW: (a: Double, b: Double, c: Double) = (0, 0, 0), seed: UInt64 = 1
    ) throws -> FeederSimulation {
        let json = feederJSON(chargers: chargers, events: events, baseKW: baseKW, seed: seed)
        return FeederSimulation(scenario: try Scenario.decode(from: Array(json.utf8)))
    }

    /// Runs a whole scenario with no setpoints (the agent switched off), observing every `everyS` seconds.
    static func runUncoordinated(_ scenario: Scenario, everyS: Double = 60) -> (FeederSimulation, [FieldObservation]) {
        var sim = FeederSimulation(scenario: scenario)
        var observations = [sim.observe()]
        var elapsed = 0.0
        while elapsed < scenario.durationS {
            sim.advance(by: everyS)
            elapsed += everyS
            observations.append(sim.observe())
        }
        return (sim, observations)
    }
}

extension FieldObservation {
    func charger(_ id: String) -> ChargerObservation? { chargers.first { $0.id == id } }
}
