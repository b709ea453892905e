import SunSpec
import Testing

@Suite struct ReaderTests {
    @Test func commonRoundTrips() throws {
        var image = try Images.meter203()
        let device = try SunSpecDevice.discover(reader: &image)
        #expect(try device.readCommon(reader: &image) == Images.identity)
    }

    @Test func meter203RoundTripsWithScaleFactors() throws {
        var image = try Images.meter203()
        let device = try SunSpecDevice.discover(reader: &image)
        let meter = try #require(try device.readMeter(reader: &image))
        #expect(meter.modelID == 203)
        #expect(meter.phaseA.voltageV == 230.1)
        #expect(meter.phaseB.voltageV == 229.4)
        #expect(meter.phaseA.currentA == 12.34)
        #expect(meter.phaseA.activePowerKW == 2.83)
        #expect(meter.phaseB.activePowerKW == -0.11)
        #expect(meter.frequencyHz == 49.98)
        #expect(meter.totalActivePowerKW == 4.33)
        #expect(meter.importedEnergyKWh == 123.456)
        // Not implemented in the image: nil, never a number.
        #expect(meter.phaseB.reactivePowerKvar == nil)
        #expect(meter.exportedEnergyKWh == nil)
        // The raw registers carry the SF: 230.1 V at V_SF −1 is 2301.
        #expect(image.registers[try image.address(of: "PhVphA") - image.base] == 2301)
    }

    @Test func meter213RoundTripsFloats() throws {
        var image = try SunSpecImageBuilder(base: 0, common: Images.identity, models: [SunSpecModels.meterWyeFloat])
        for (name, value) in [("PhVphA", 230.1), ("PhVphC", 241.7), ("AphB", 16.25), ("WphA", -3700.0), ("Hz", 60.01), ("VAR", 250.0)] {
            try image.set(name, value)
        }
        let device = try SunSpecDevice.discover(reader: &image)
        let meter = try #require(try device.readMeter(reader: &image))
        #expect(meter.modelID == 213)
        #expect(meter.phaseA.voltageV == 230.1)
        #expect(meter.phaseC.voltageV == 241.7)
        #expect(meter.phaseB.currentA == 16.25)
        #expect(meter.phaseA.activePowerKW == -3.7)
        #expect(meter.frequencyHz == 60.01)
        #expect(meter.totalReactivePowerKvar == 0.25)
        #expect(meter.phaseB.voltageV == nil)  // NaN in the image
    }

    @Test func derRoundTripsAcross701_702_713() throws {
        var image = try Images.charger()
        let device = try SunSpecDevice.discover(reader: &image)
        let der = try device.readDER(reader: &image)
        #expect(der.activePowerKW == -7.4)
        #expect(der.reactivePowerKvar == 0.5)
        #expect(der.powerFactor == -0.998)
        #expect(der.currentA == 32.17)
        #expect(der.lineToNeutralVoltageV == 230.4)
        #expect(der.frequencyHz == 50.012)
        #expect(der.connected == true && der.inverterState == 3 && der.acType == 0)
        #expect(der.phaseL1.activePowerKW == -7.4 && der.phaseL1.voltageV == 230.4)
        #expect(der.phaseL2.activePowerKW == nil)
        #expect(der.alarms == nil)
        let ratings = try #require(der.ratings)
        #expect(ratings.maxActivePowerKW == 11 && ratings.maxDischargeRateKW == 7.4 && ratings.maxReactiveAbsorptionKvar == 4.84)
        #expect(ratings.nominalVoltageV == 230)
        #expect(ratings.maxCurrentA == nil)
        let storage = try #require(der.storage)
        #expect(storage.capacityKWh == 60 && storage.availableKWh == 33)
        #expect(storage.stateOfChargePct == 55.5 && storage.stateOfHealthPct == 97 && storage.status == 0)
    }

    @Test func derWithoutOptionalModels() throws {
        var image = try SunSpecImageBuilder(common: Images.identity, models: [SunSpecModels.derMeasurement])
        try image.set("W", 3000)
        let device = try SunSpecDevice.discover(reader: &image)
        let der = try device.readDER(reader: &image)
        #expect(der.activePowerKW == 3)
        #expect(der.ratings == nil && der.storage == nil)
        #expect(try device.readMeter(reader: &image) == nil)
        #expect(try device.readTemperatures(reader: &image) == nil)
    }

    @Test func derWithout701IsATypedError() throws {
        var image = try Images.meter203()
        let device = try SunSpecDevice.discover(reader: &image)
        let error = try #require(throws: SunSpecError.self) { try device.readDER(reader: &image) }
        #expect(error.label == "sunspec.model_missing")
    }

    @Test func temperaturesRoundTripAndFaultedSensorsReadNil() throws {
        var image = try Images.charger()
        let device = try SunSpecDevice.discover(reader: &image)
        let temperatures = try #require(try device.readTemperatures(reader: &image))
        #expect(temperatures.topOilC == 61.9 && temperatures.ambientC == 25.6 && temperatures.hotSpotC == 83.8)
        try image.set("SnsSt", Double(TransformerTemperatures.hotSpotFault | TransformerTemperatures.stale))
        let faulted = try #require(try device.readTemperatures(reader: &image))
        #expect(faulted.hotSpotC == nil && faulted.topOilC == 61.9 && faulted.isStale)
        try image.clear("TopOilTmp")
        #expect(try device.readTemperatures(reader: &image)?.topOilC == nil)
    }

    @Test(arguments: [0x8000, 0x000B, 0xFFF5, 0x7FFF] as [UInt16])
    func badScaleFactorGivesNilNotAWildNumber(rawSF: UInt16) throws {
        var image = try Images.meter203()
        try image.writeRegisters(address: image.address(of: "V_SF"), values: [rawSF])
        let device = try SunSpecDevice.discover(reader: &image)
        let meter = try #require(try device.readMeter(reader: &image))
        #expect(meter.phaseA.voltageV == nil && meter.phaseC.voltageV == nil)
        #expect(meter.phaseA.currentA == 12.34)  // other SFs unaffected
    }

    @Test func implausibleStateOfChargeReadsNil() throws {
        var image = try Images.charger()
        try image.set("SoC", 180, in: 713)
        let device = try SunSpecDevice.discover(reader: &image)
        #expect(try device.readDER(reader: &image).storage?.stateOfChargePct == nil)
    }

    @Test func shorterModelVersionReadsNilPastItsLength() throws {
        // A 713 whose device reports L = 3: WHRtg, WHAvail, SoC exist, but WH_SF/Pct_SF do not, so all scaled values are nil.
        let values = SunSpecModelValues(definition: SunSpecModels.derStorage,
                                        block: SunSpecModelBlock(id: 713, address: 40100, length: 3), registers: [600, 330, 555])
        #expect(values.raw("SoC") == [555])
        #expect(values.value("SoC") == nil)
        #expect(values.integer("Sta") == nil)
    }
}
