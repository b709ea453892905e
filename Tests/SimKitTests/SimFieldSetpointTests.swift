import GridCore
import SimKit
import SunSpec
import Testing

/// The agent's 704 writes, sent by a real client with `DERControlWriter`, come back as setpoints for the physics.
@Suite struct SimFieldSetpointTests {
    /// Discovers evse-a and returns its port and 704 writer.
    private func writer(_ field: SimulatedField) throws -> (ClientPort, DERControlWriter) {
        var port = try ClientPort(field, "evse-a")
        let map = try SunSpecDevice.discover(reader: &port)
        return (port, try DERControlWriter(device: map, reader: &port))
    }

    @Test(arguments: [
        // (W written, + injection; var; reversion) → (kW, + charging; kvar; revert after)
        (3000.0, 1000.0, UInt32?(30), -3.0, 1.0, 30.0),
        (-2500.0, -500.0, nil, 2.5, -0.5, 0.0),
        (0.0, 0.0, UInt32?(5), 0.0, 0.0, 5.0),
    ])
    func writeIsDrainedWithTheCoreSign(watts: Double, vars: Double, reversion: UInt32?, kw: Double, kvar: Double, revertS: Double) throws {
        // DERControlWriter writes WSetRvrt = VarSetRvrt = 0: with a timer, the charger reverts to a stop.
        let revertTo: Reversion? = reversion == nil ? nil : .stop
        let (_, field) = try SimFieldFixtures.running(try SimFieldFixtures.scenario())
        var (port, writer) = try writer(field)
        try writer.activePower(watts: watts, maxInjectW: 7400, maxAbsorbW: 7400, reversionS: reversion).apply(to: &port)
        try writer.reactivePower(vars: vars, maxInjectVar: 7400, maxAbsorbVar: 7400, reversionS: reversion).apply(to: &port)
        try port.sync()
        let drained = field.drainSetpoints()
        #expect(drained == [ChargerCommand(chargerID: "evse-a", activeKW: kw, reactiveKvar: kvar, revertAfterS: revertS, revertTo: revertTo)])
        #expect(field.drainSetpoints().isEmpty)
    }

    @Test func appliedSetpointChangesThePhysicsAndTheRegisters() throws {
        let (simAt60, field) = try SimFieldFixtures.running(try SimFieldFixtures.scenario())
        var sim = simAt60
        var (port, writer) = try writer(field)
        try writer.activePower(watts: 3000, maxInjectW: 7400, maxAbsorbW: 7400, reversionS: 60).apply(to: &port)
        try writer.reactivePower(vars: 1000, maxInjectVar: 7400, maxAbsorbVar: 7400, reversionS: 60).apply(to: &port)
        try port.sync()
        for setpoint in field.drainSetpoints() { try setpoint.apply(to: &sim) }
        sim.advance(by: 20)  // 20 response time constants
        let charger = try #require(sim.observe().charger("evse-a"))
        #expect(abs(charger.measuredKW + 3) < 1e-3)  // discharging 3 kW
        #expect(abs(charger.measuredKvar - 1) < 1e-3)
        field.publish(sim.observe())
        let map = try SunSpecDevice.discover(reader: &port)
        #expect(abs(try #require(try map.readDER(reader: &port).activePowerKW) - 3) <= 0.001)
        // The writes stay as the agent left them: publishing never touches 704, so read-back succeeds.
        try writer.activePower(watts: 3000, maxInjectW: 7400, maxAbsorbW: 7400, reversionS: 60).verify(reader: &port)

        // Reversion: with no new write the charger holds the reversion value the agent wrote, 0 (stop), and the
        // simulator counts the lapse.
        sim.advance(by: 70)
        let reverted = try #require(sim.observe().charger("evse-a"))
        #expect(abs(reverted.measuredKW) < 1e-3)
        #expect(reverted.setpointKW == 0)
        #expect(sim.metrics.lapses.map(\.chargerID) == ["evse-a"])
        #expect(sim.metrics.lapses.first?.revertTo == .stop)
    }

    @Test func disablingBothFunctionsReleasesTheCharger() throws {
        let (simAt60, field) = try SimFieldFixtures.running(try SimFieldFixtures.scenario())
        var sim = simAt60
        var (port, writer) = try writer(field)
        try writer.activePower(watts: 3000, maxInjectW: 7400, maxAbsorbW: 7400, reversionS: nil).apply(to: &port)
        try port.sync()
        for setpoint in field.drainSetpoints() { try setpoint.apply(to: &sim) }
        sim.advance(by: 20)
        #expect(try #require(sim.observe().charger("evse-a")).measuredKW < -2.9)
        field.publish(sim.observe())

        try writer.disable(reactive: false).apply(to: &port)
        try writer.disable(reactive: true).apply(to: &port)
        try port.sync()
        let drained = field.drainSetpoints()
        #expect(drained == [ChargerCommand.release("evse-a")])
        for setpoint in drained { try setpoint.apply(to: &sim) }
        sim.advance(by: 20)
        let charger = try #require(sim.observe().charger("evse-a"))
        #expect(charger.measuredKW > 7.3)
        #expect(charger.setpointKW == nil)  // back to default, not a held setpoint
        #expect(sim.metrics.lapses.isEmpty)  // a release is no lapse
    }

    @Test func writesOutside704AreNoSetpointAndAreOverwritten() throws {
        let (sim, field) = try SimFieldFixtures.running(try SimFieldFixtures.scenario())
        var port = try ClientPort(field, "evse-a")
        let map = try SunSpecDevice.discover(reader: &port)
        let measurement = try #require(map.model(701))
        let before = try port.readHoldingRegisters(address: measurement.dataAddress, count: 20)
        try port.writeRegisters(address: measurement.dataAddress + 10, values: [0x1234])
        try port.sync()
        #expect(field.drainSetpoints().isEmpty)
        field.publish(sim.observe())
        #expect(try port.readHoldingRegisters(address: measurement.dataAddress, count: 20) == before)
    }
}
