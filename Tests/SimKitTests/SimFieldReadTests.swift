import GridCore
import SimKit
import SunSpec
import Testing

/// Each served device discovers as SunSpec and reads back what was published, scaled and signed as the agent expects.
@Suite struct SimFieldReadTests {
    @Test(arguments: [("meter", [1, 203]), ("transformer", [1, 64900]), ("evse-a", [1, 701, 702, 704, 713, 64901])])
    func discovers(device: String, models: [UInt16]) throws {
        let (_, field) = try SimFieldFixtures.running(try SimFieldFixtures.scenario())
        var port = try ClientPort(field, device)
        let map = try SunSpecDevice.discover(reader: &port)
        #expect(map.base == 40000)
        #expect(map.models.map(\.id) == models)
        #expect(try map.readCommon(reader: &port)?.serialNumber == device)
    }

    @Test func portsAreDistinctAndInOrder() throws {
        let field = try SimulatedField(scenario: try SimFieldFixtures.scenario())
        #expect(field.devices.map(\.name) == ["meter", "transformer", "evse-a", "evse-3p"])
        #expect(Set(field.devices.map(\.port)).count == 4)
        #expect(field.devices.allSatisfy { $0.port > 0 && $0.unitID == 1 })
    }

    @Test func meterReadsThePublishedValues() throws {
        let (sim, field) = try SimFieldFixtures.running(try SimFieldFixtures.scenario())
        let seen = sim.observe().meter
        var port = try ClientPort(field, "meter")
        let meter = try #require(try SunSpecDevice.discover(reader: &port).readMeter(reader: &port))
        for (phase, values) in [(Phase.a, meter.phaseA), (.b, meter.phaseB), (.c, meter.phaseC)] {
            // V_SF −1, A_SF −1, W_SF 1 (10 W) at 100 kVA: half a step of tolerance.
            #expect(abs(try #require(values.voltageV) - seen.voltageV[phase]) <= 0.05 + 1e-9)
            #expect(abs(try #require(values.currentA) - seen.currentA[phase]) <= 0.05 + 1e-9)
            #expect(abs(try #require(values.activePowerKW) - seen.activePowerKW[phase]) <= 0.005 + 1e-9)
            #expect(abs(try #require(values.reactivePowerKvar) - seen.reactivePowerKvar[phase]) <= 0.005 + 1e-9)
        }
        // Forward flow reads positive: households and a charging EV draw from the grid.
        #expect(try #require(meter.phaseA.activePowerKW) > 10)
        #expect(abs(try #require(meter.totalActivePowerKW) - seen.activePowerKW.values.reduce(0, +)) <= 0.005 + 1e-9)
        #expect(abs(try #require(meter.frequencyHz) - seen.frequencyHz) <= 0.005 + 1e-9)
        #expect(try #require(meter.importedEnergyKWh) > 0)
    }

    @Test func temperaturesReadThePublishedValues() throws {
        let (sim, field) = try SimFieldFixtures.running(try SimFieldFixtures.scenario())
        let seen = sim.observe()
        var port = try ClientPort(field, "transformer")
        let temperatures = try #require(try SunSpecDevice.discover(reader: &port).readTemperatures(reader: &port))
        #expect(abs(try #require(temperatures.topOilC) - seen.topOilC) <= 0.05 + 1e-9)
        #expect(abs(try #require(temperatures.ambientC) - seen.ambientC) <= 0.05 + 1e-9)
        #expect(temperatures.hotSpotC == nil)
        #expect(!temperatures.isStale)
    }

    @Test func chargingChargerReadsNegativeWattsWithItsEV() throws {
        let (sim, field) = try SimFieldFixtures.running(try SimFieldFixtures.scenario())
        let seen = try #require(sim.observe().charger("evse-a"))
        let ev = try #require(seen.ev)
        #expect(seen.measuredKW > 7)  // charging at the EV's request
        var port = try ClientPort(field, "evse-a")
        let map = try SunSpecDevice.discover(reader: &port)
        let der = try map.readDER(reader: &port)
        // 701 W is + injection: a charging EV reads negative. W_SF 0 at 7.4 kVA.
        #expect(abs(try #require(der.activePowerKW) + seen.measuredKW) <= 0.0005 + 1e-9)
        #expect(abs(try #require(der.phaseL1.activePowerKW) + seen.measuredKW) <= 0.0005 + 1e-9)
        #expect(der.phaseL2.activePowerKW == nil)
        #expect(abs(try #require(der.lineToNeutralVoltageV) - sim.observe().feeder.meter.voltageV.a) <= 0.05 + 1e-9)
        #expect(der.acType == 0)
        #expect(der.ratings?.maxChargeRateKW == 7.4)
        #expect(der.ratings?.maxDischargeRateKW == 7.4)
        #expect(der.ratings?.maxApparentPowerKVA == 7.4)
        #expect(abs(try #require(der.storage?.stateOfChargePct) - ev.socPercent) <= 0.05 + 1e-9)
        #expect(der.storage?.capacityKWh == 60)
        let session = try #require(try map.readEVSession(reader: &port))
        #expect(session.plugged)
        #expect(session.requestedKW == 7.4)
        #expect(session.departureEpochS == ev.departure.secondsSinceEpoch)
        #expect(abs(try #require(session.energyNeededKWh) - (90 - ev.socPercent) / 100 * 60) <= 0.0005 + 1e-9)
        #expect(abs(try #require(session.batteryTempC) - ev.batteryTempC) <= 0.05 + 1e-9)
        #expect(session.dischargeAgreed)
        #expect(session.dischargeBudgetKWh == nil)
    }

    @Test func idleThreePhaseChargerShowsNoEVAndEachPhaseVoltage() throws {
        let (sim, field) = try SimFieldFixtures.running(try SimFieldFixtures.scenario())
        let volts = sim.observe().feeder.meter.voltageV
        var port = try ClientPort(field, "evse-3p")
        let map = try SunSpecDevice.discover(reader: &port)
        let der = try map.readDER(reader: &port)
        #expect(der.activePowerKW == 0)
        #expect(der.acType == 2)
        for (values, phase) in [(der.phaseL1, Phase.a), (der.phaseL2, .b), (der.phaseL3, .c)] {
            #expect(abs(try #require(values.voltageV) - volts[phase]) <= 0.05 + 1e-9)
        }
        #expect(der.storage?.stateOfChargePct == nil)
        let session = try #require(try map.readEVSession(reader: &port))
        #expect(!session.plugged)
        #expect(session.requestedKW == nil)
        #expect(session.departureEpochS == nil)
        #expect(session.energyNeededKWh == nil)
    }
}
