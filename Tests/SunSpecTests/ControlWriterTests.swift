import SunSpec
import Testing

@Suite struct ControlWriterTests {
    private func charger(wSetSF: Double = 0, varSetSF: Double = 0) throws -> (SunSpecImageBuilder, DERControlWriter) {
        var image = try Images.charger()
        try image.set("WSet_SF", wSetSF, in: 704)
        try image.set("VarSet_SF", varSetSF, in: 704)
        let device = try SunSpecDevice.discover(reader: &image)
        return (image, try DERControlWriter(device: device, reader: &image))
    }

    @Test func activePowerWritesLandOnThe704Points() throws {
        var (image, writer) = try charger(wSetSF: 1)
        let writes = try writer.activePower(watts: -7400, maxInjectW: 7400, maxAbsorbW: 11000, reversionS: 60)
        #expect(writes.encodedRaw == -740 && writes.appliedValue == -7400)
        try writes.apply(to: &image)
        try writes.verify(reader: &image)
        #expect(try image.get("WSet", in: 704) == -7400)
        #expect(try image.get("WSetRvrt", in: 704) == 0)
        #expect(try image.get("WSetEna", in: 704) == 1)
        #expect(try image.get("WSetMod", in: 704) == 1)
        #expect(try image.get("WSetEnaRvrt", in: 704) == 1)
        #expect(try image.get("WSetRvrtTms", in: 704) == 60)
        #expect(writes.writes.last?.address == (try image.address(of: "WSetEna", in: 704)))  // enabled last
        // Points the writer must not touch stay not implemented.
        #expect(try image.get("WSetPct", in: 704) == nil)
        #expect(try image.get("VarSetEna", in: 704) == nil)
    }

    @Test func reactivePowerWithoutReversion() throws {
        var (image, writer) = try charger(varSetSF: -1)
        let writes = try writer.reactivePower(vars: 1234.56, maxInjectVar: 4840, maxAbsorbVar: 4840, reversionS: nil)
        try writes.apply(to: &image)
        #expect(try image.get("VarSet", in: 704) == 1234.6)
        #expect(try image.get("VarSetMod", in: 704) == 4)
        #expect(try image.get("VarSetEnaRvrt", in: 704) == 0)
        #expect(try image.get("VarSetRvrtTms", in: 704) == 0)
        #expect(try image.get("VarSetEna", in: 704) == 1)
        #expect(try image.get("VarSetPri", in: 704) == nil)
    }

    @Test(arguments: [-3, -1, 0, 1, 2])
    func zeroMeansStopAtEveryScaleFactor(sf: Int) throws {
        let (_, writer) = try charger(wSetSF: Double(sf))
        for request in [0.0, -0.0, 1e-9, -1e-9] {
            let writes = try writer.activePower(watts: request, maxInjectW: 7400, maxAbsorbW: 11000, reversionS: 30)
            #expect(writes.encodedRaw == 0)
            #expect(writes.writes[1].values == [0, 0, 0, 0])  // WSet = 0 and WSetRvrt = 0, no sign bits
        }
        // Any limits: 0 stays 0 (the clamp range always contains 0).
        #expect(try writer.activePower(watts: 0, maxInjectW: 0, maxAbsorbW: 0, reversionS: nil).encodedRaw == 0)
    }

    @Test(arguments: [(-50_000.0, -11_000.0), (-11_000, -11_000), (-7400.4, -7400), (-1, -1), (1, 1), (3000, 3000),
                      (7400, 7400), (99_999, 7400)])
    func clampsToTheLimitsAndNeverFlipsTheSign(watts: Double, applied: Double) throws {
        let (_, writer) = try charger(wSetSF: 0)
        let writes = try writer.activePower(watts: watts, maxInjectW: 7400, maxAbsorbW: 11000, reversionS: nil)
        #expect(writes.appliedValue == applied)
        #expect(writes.appliedValue.sign == watts.sign)
    }

    @Test func hugeValuesClampToInt32NotTheMarker() throws {
        let (_, writer) = try charger(wSetSF: -10)
        let writes = try writer.activePower(watts: -1e12, maxInjectW: 1e12, maxAbsorbW: 1e12, reversionS: nil)
        #expect(writes.encodedRaw == -Int32.max)
        #expect(writes.writes[1].values.prefix(2) != [0x8000, 0x0000])
    }

    @Test func nanAndBadLimitsAreRefused() throws {
        let (_, writer) = try charger()
        #expect(throws: SunSpecError.self) { try writer.activePower(watts: .nan, maxInjectW: 1, maxAbsorbW: 1, reversionS: nil) }
        #expect(throws: SunSpecError.self) { try writer.activePower(watts: .infinity, maxInjectW: 1, maxAbsorbW: 1, reversionS: nil) }
        #expect(throws: SunSpecError.self) { try writer.reactivePower(vars: 1, maxInjectVar: -1, maxAbsorbVar: 1, reversionS: nil) }
        #expect(throws: SunSpecError.self) { try writer.reactivePower(vars: 1, maxInjectVar: 1, maxAbsorbVar: .nan, reversionS: nil) }
    }

    @Test func invalidDeviceScaleFactorIsATypedError() throws {
        var image = try Images.charger()
        try image.writeRegisters(address: image.address(of: "WSet_SF", in: 704), values: [0x8000])
        let device = try SunSpecDevice.discover(reader: &image)
        let error = try #require(throws: SunSpecError.self) { try DERControlWriter(device: device, reader: &image) }
        #expect(error.label == "sunspec.invalid_scale_factor" && error.message.contains("WSet_SF"))
        let block = try #require(device.model(704))
        #expect(throws: SunSpecError.self) { try DERControlWriter(block: block, activePowerScaleFactor: 11, reactivePowerScaleFactor: 0) }
    }

    @Test func readBackMismatchNamesTheAddress() throws {
        var (image, writer) = try charger()
        let writes = try writer.activePower(watts: 2000, maxInjectW: 7400, maxAbsorbW: 11000, reversionS: 10)
        try writes.apply(to: &image)
        let wSet = try image.address(of: "WSet", in: 704)
        try image.writeRegisters(address: wSet, values: [0, 1999])  // the device kept its own value
        let error = try #require(throws: SunSpecError.self) { try writes.verify(reader: &image) }
        #expect(error.label == "sunspec.read_back_mismatch" && error.message.contains("\(wSet)"))
    }

    @Test func disableClearsOnlyTheEnable() throws {
        var (image, writer) = try charger()
        try writer.activePower(watts: 2000, maxInjectW: 7400, maxAbsorbW: 11000, reversionS: 10).apply(to: &image)
        try writer.disable(reactive: false).apply(to: &image)
        #expect(try image.get("WSetEna", in: 704) == 0)
        #expect(try image.get("WSet", in: 704) == 2000)
    }
}
