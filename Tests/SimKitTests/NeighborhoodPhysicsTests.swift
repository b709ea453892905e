import EdgeModbus
import FoundationEssentials
import GridCore
@testable import SimKit
import SunSpec
import Testing

/// Each transformer of a neighborhood is its own site: what happens at one never shows at another, except what the
/// feeder brings to all (its events).
@Suite("Neighborhood physics: each transformer on its own")
struct NeighborhoodPhysicsTests {
    /// Every transformer's observations every `everyS` seconds over `seconds`, with no agents.
    static func observe(_ n: Neighborhood, seconds: Double, everyS: Double = 30) -> [[FieldObservation]] {
        var sims = n.transformers.map { FeederSimulation(scenario: $0.scenario) }
        var seen = sims.map { [$0.observe()] }
        for _ in 0..<Int(seconds / everyS) {
            for i in sims.indices {
                sims[i].advance(by: everyS)
                seen[i].append(sims[i].observe())
            }
        }
        return seen
    }

    @Test("a hot transformer heats only itself: its neighbour's observations are bit for bit the same")
    func heatStaysPut() throws {
        let hot = NeighborhoodFixtures.event("hot_transformer", startS: 600, durationS: 1800, "\"transformer\": \"tx-b\", \"rise_k\": 20")
        let calm = Self.observe(try NeighborhoodFixtures.decode(NeighborhoodFixtures.json()), seconds: 3600)
        let heated = Self.observe(try NeighborhoodFixtures.decode(NeighborhoodFixtures.json(events: [hot])), seconds: 3600)
        #expect(calm[0] == heated[0])
        #expect(calm[1] != heated[1])
        // Before the event, the same; during it, 20 K warmer; the oil follows.
        let at = { (minute: Int) in minute * 2 }  // every 30 s
        #expect(heated[1][at(5)].ambientC == calm[1][at(5)].ambientC)
        #expect(abs(heated[1][at(20)].ambientC - calm[1][at(20)].ambientC - 20) < 1e-9)
        #expect(heated[1][at(40)].topOilC > calm[1][at(40)].topOilC + 2)
        #expect(abs(heated[1][at(50)].ambientC - calm[1][at(50)].ambientC) < 1e-9)  // the event is over
    }

    @Test("the feeder's sag reaches every transformer, on its phase only, for its duration")
    func sagEverywhere() throws {
        let sag = NeighborhoodFixtures.event("voltage_sag", startS: 600, durationS: 600, "\"phase\": \"A\", \"pu\": 0.9")
        let normal = Self.observe(try NeighborhoodFixtures.decode(NeighborhoodFixtures.json()), seconds: 1800, everyS: 60)
        let sagged = Self.observe(try NeighborhoodFixtures.decode(NeighborhoodFixtures.json(events: [sag])), seconds: 1800, everyS: 60)
        for (a, b) in zip(normal, sagged) {
            #expect(a[5].feeder.voltagePU == b[5].feeder.voltagePU)
            #expect(b[15].feeder.voltagePU.a < 0.9 && a[15].feeder.voltagePU.a > 0.95)
            #expect(a[15].feeder.voltagePU.b == b[15].feeder.voltagePU.b)
        }
    }

    @Test("an ambient change at run time touches only its transformer, and can be undone")
    func runtimeAmbient() async throws {
        let n = try NeighborhoodFixtures.decode(NeighborhoodFixtures.json())
        var calm = NeighborhoodLoop(neighborhood: n, policy: nil)
        var heated = NeighborhoodLoop(neighborhood: n, policy: nil)
        #expect(try heated.adjustAmbient(.held(celsius: 45), of: "tx-a"))
        #expect(try heated.adjustAmbient(.rise(kelvin: 5), of: "tx-z") == false)
        #expect(throws: SimulationError.self) { try heated.adjustAmbient(.rise(kelvin: .nan), of: "tx-a") }
        #expect(throws: SimulationError.self) { try heated.adjustAmbient(.held(celsius: 80), of: "tx-a") }
        let end = n.startTime + 1800
        await calm.run(until: end)
        await heated.run(until: end)
        #expect(heated.loops[0].simulation.observe().ambientC == 45)
        #expect(heated.loops[0].simulation.thermal.topOilC > calm.loops[0].simulation.thermal.topOilC + 3)
        #expect(heated.loops[1].simulation.observe() == calm.loops[1].simulation.observe())
        try heated.adjustAmbient(nil, of: "tx-a")
        #expect(heated.loops[0].simulation.observe().ambientC == calm.loops[0].simulation.observe().ambientC)
    }

    @Test("a setpoint written over Modbus to tx-a's evse-01 leaves tx-b's evse-01 alone")
    func setpointStaysPut() throws {
        let n = try NeighborhoodFixtures.decode(NeighborhoodFixtures.json())
        var runner = try NeighborhoodRunner(neighborhood: n)
        var untouched = try NeighborhoodRunner(neighborhood: n)
        let ports: [Int] = runner.fields.flatMap { field in field.devices.map(\.port) }
        #expect(Set(ports).count == 7)  // every device its own port
        runner.step(simulatedSeconds: 60)
        untouched.step(simulatedSeconds: 60)
        let field = try #require(runner.field(of: "tx-a"))
        var port = try ClientPort(field, "evse-01")
        let map = try SunSpecDevice.discover(reader: &port)
        try DERControlWriter(device: map, reader: &port).activePower(watts: 3000, maxInjectW: 7400, maxAbsorbW: 7400, reversionS: 600)
            .apply(to: &port)
        try port.sync()
        runner.step(simulatedSeconds: 30)
        untouched.step(simulatedSeconds: 30)
        #expect(runner.runners[0].appliedSetpoints == 1 && runner.runners[1].appliedSetpoints == 0)
        let a = try #require(runner.simulations[0].observe().charger("evse-01"))
        #expect(abs(a.measuredKW + 3) < 1e-3)  // discharging 3 kW
        #expect(runner.simulations[1].observe() == untouched.simulations[1].observe())
    }

    @Test("ports follow one another, transformer after transformer, from the base port")
    func consecutivePorts() throws {
        let n = try NeighborhoodFixtures.decode(NeighborhoodFixtures.json())
        let base = 20_000 + Int.random(in: 0..<12_000)  // below the ephemeral ports (32768 on), which other processes take
        let runner = try NeighborhoodRunner(neighborhood: n, basePort: base)
        #expect(runner.fields.flatMap { $0.devices.map(\.port) } == Array(base..<(base + 7)))
        #expect(runner.fields[1].devices.map(\.name) == ["meter", "transformer", "evse-01"])
        #expect(throws: SimFieldError.self) { try NeighborhoodRunner(neighborhood: n, basePort: 65_532) }
    }
}
