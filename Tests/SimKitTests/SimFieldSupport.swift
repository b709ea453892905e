import EdgeModbus
import GridCore
import SimKit
import SunSpec
import Testing

/// A SunSpec register port over a real libmodbus client, as the agent's field bus uses one.
struct ClientPort: RegisterReader, RegisterWriter {
    let client: ModbusClient

    /// Connects to one device of the simulated field, with a short timeout so that a silent device fails fast.
    init(_ field: SimulatedField, _ device: String) throws {
        let port = try #require(field.port(of: device), "no device \(device)")
        client = try ModbusClient.tcp(host: "127.0.0.1", port: port)
        client.responseTimeoutS = 0.2
    }

    mutating func readHoldingRegisters(address: Int, count: Int) throws -> [UInt16] {
        try client.readHoldingRegisters(address: address, count: count)
    }

    mutating func writeRegisters(address: Int, values: [UInt16]) throws {
        try client.writeRegisters(address: address, values: values)
    }

    /// One read round trip: the server runs a write's hook after replying but before the next request, so after
    /// this every earlier write has been logged for `drainSetpoints`.
    func sync() throws {
        _ = try client.readHoldingRegisters(address: SimulatedField.base, count: 1)
    }
}

/// Scenarios for the Modbus tests: a 100 kVA feeder, evse-a on phase A with an EV from the start, evse-3p three-phase
/// with no EV, and households on every phase.
enum SimFieldFixtures {
    static func scenario(events: [String] = [], aSessions: [String] = [Fixtures.session(kwh: 60, soc: 30, target: 90)]) throws -> Scenario {
        let json = Fixtures.feederJSON(
            chargers: [Fixtures.charger("evse-a", phase: "A", sessions: aSessions), Fixtures.charger("evse-3p", phase: "ABC", sessions: nil)],
            events: events, baseKW: (10, 6, 4))
        return try Scenario.decode(from: Array(json.utf8))
    }

    /// `{"kind": …, "start": start + startS, "duration_s": …}` plus the kind's keys.
    static func event(_ kind: String, startS: Double, durationS: Double, _ keys: String = "") -> String {
        "{\"kind\": \"\(kind)\", \"start\": \(Fixtures.start + startS), \"duration_s\": \(durationS)\(keys.isEmpty ? "" : ", " + keys)}"
    }

    /// The simulation advanced by `seconds`, and its field serving it on ephemeral ports.
    static func running(_ scenario: Scenario, afterS seconds: Double = 60) throws -> (FeederSimulation, SimulatedField) {
        var sim = FeederSimulation(scenario: scenario)
        sim.advance(by: seconds)
        let field = try SimulatedField(scenario: scenario)
        field.publish(sim.observe())
        return (sim, field)
    }
}
