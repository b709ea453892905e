import EdgeModbus
import GridCore
import SimKit
import SunSpec
import Testing

/// Scenario faults as the agent meets them on the wire: a charger that stops answering, a frozen meter, garbage.
@Suite struct SimFieldFaultTests {
    @Test func offlineChargerTimesOutThenAnswersAgain() throws {
        let offline = SimFieldFixtures.event("charger_offline", startS: 30, durationS: 60, "\"charger\": \"evse-a\"")
        let scenario = try SimFieldFixtures.scenario(events: [offline])
        var sim = FeederSimulation(scenario: scenario)
        let field = try SimulatedField(scenario: scenario)
        field.publish(sim.observe())
        var port = try ClientPort(field, "evse-a")
        _ = try SunSpecDevice.discover(reader: &port)

        sim.advance(by: 40)
        field.publish(sim.observe())
        #expect(sim.observe().charger("evse-a")?.online == false)
        let error = try #require(throws: ModbusError.self) { try port.readHoldingRegisters(address: 40000, count: 2) }
        #expect(error.isTimeout)
        var other = try ClientPort(field, "evse-3p")  // only that charger is off the bus
        _ = try SunSpecDevice.discover(reader: &other)

        sim.advance(by: 60)
        field.publish(sim.observe())
        let der = try SunSpecDevice.discover(reader: &port).readDER(reader: &port)
        #expect(der.activePowerKW != nil)
    }

    @Test func frozenMeterKeepsItsRegisters() throws {
        // An EV arrives during the freeze, so the true load moves while the meter stands still.
        let frozen = SimFieldFixtures.event("meter_frozen", startS: 30, durationS: 60)
        let scenario = try SimFieldFixtures.scenario(events: [frozen], aSessions: [Fixtures.session(arriveS: 50)])
        var sim = FeederSimulation(scenario: scenario)
        let field = try SimulatedField(scenario: scenario)
        var port = try ClientPort(field, "meter")
        let meter = try #require(try SunSpecDevice.discover(reader: &port).model(203))
        func registers() throws -> [UInt16] { try port.readHoldingRegisters(address: meter.dataAddress, count: meter.length) }

        sim.advance(by: 40)
        field.publish(sim.observe())
        let atFreeze = try registers()
        let truthAtFreeze = sim.observe().feeder.meter.activePowerKW.a
        sim.advance(by: 40)
        field.publish(sim.observe())
        #expect(sim.observe().feeder.meter.activePowerKW.a > truthAtFreeze + 7)  // the EV did arrive
        #expect(try registers() == atFreeze)

        sim.advance(by: 30)
        field.publish(sim.observe())
        #expect(try registers() != atFreeze)
        let phaseA = try #require(try SunSpecDevice.discover(reader: &port).readMeter(reader: &port)).phaseA
        #expect(abs(try #require(phaseA.activePowerKW) - sim.observe().meter.activePowerKW.a) <= 0.005 + 1e-9)
    }

    /// (device, point, what the agent reads while the garbage is on)
    static let garbage: [(String, String, @Sendable (inout ClientPort, SunSpecDevice) throws -> Double?)] = [
        ("meter", "PhVphA", { port, map in try map.readMeter(reader: &port)?.phaseA.voltageV }),
        ("evse-a", "W", { port, map in try map.readDER(reader: &port).activePowerKW }),
        ("transformer", "Tmp_SF", { port, map in try map.readTemperatures(reader: &port)?.topOilC }),
    ]

    @Test(arguments: 0..<3)
    func garbageRegistersAppearWhileListed(index: Int) throws {
        let (device, point, read) = Self.garbage[index]
        let event = SimFieldFixtures.event("garbage_registers", startS: 30, durationS: 60, "\"device\": \"\(device)\", \"point\": \"\(point)\"")
        let scenario = try SimFieldFixtures.scenario(events: [event])
        var sim = FeederSimulation(scenario: scenario)
        let field = try SimulatedField(scenario: scenario)
        var port = try ClientPort(field, device)
        let map = try SunSpecDevice.discover(reader: &port)

        sim.advance(by: 40)
        field.publish(sim.observe())
        #expect(sim.observe().garbageRegisters.count == 1)
        let garbled = try read(&port, map)
        switch point {
        case "PhVphA": #expect(garbled == 3276.7)  // 0x7FFF at V_SF −1: no 230 V feeder reads that
        case "W": #expect(garbled == 32.767)  // 0x7FFF W at W_SF 0: far beyond a 7.4 kW charger
        default: #expect(garbled == nil)  // an SF of 0x7FFF is outside −10…10: the value cannot be scaled
        }

        sim.advance(by: 60)
        field.publish(sim.observe())
        let restored = try #require(try read(&port, map))
        #expect(restored != garbled)
        #expect(abs(restored) < 1000)
    }
}
