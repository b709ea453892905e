import SunSpec
import Testing

@Suite struct ImageBuilderTests {
    @Test func layoutStartsWithMarkerAndEndsWithEndModel() throws {
        let image = try Images.charger(base: 0)
        #expect(image.registers.prefix(4) == [0x5375, 0x6E53, 1, 66])
        #expect(image.registers.suffix(2) == [0xFFFF, 0])
        #expect(image.registers.count == 2 + [66, 153, 50, 65, 7, 6].reduce(0) { $0 + $1 + 2 } + 2)
    }

    @Test func setAppliesTheScaleFactorAndRefusesWhatDoesNotFit() throws {
        var image = try Images.meter203()
        try image.set("W", 5300)  // W_SF = 1
        #expect(image.registers[try image.address(of: "W") - image.base] == 530)
        #expect(try image.get("W") == 5300)
        #expect(throws: SunSpecError.self) { try image.set("W", 400_000) }  // 40000 > int16
        #expect(throws: SunSpecError.self) { try image.set("W", .nan) }
        #expect(throws: SunSpecError.self) { try image.set("NoSuchPoint", 1) }
        #expect(throws: SunSpecError.self) { try image.set("WSet", 1, in: 203) }
        try image.writeRegisters(address: image.address(of: "W_SF"), values: [0x8000])
        #expect(throws: SunSpecError.self) { try image.set("W", 100) }
    }

    @Test func writesCannotBreakTheMap() throws {
        var image = try Images.meter203()
        #expect(throws: SunSpecError.self) { try image.writeRegisters(address: 40000, values: [0]) }
        #expect(throws: SunSpecError.self) { try image.writeRegisters(address: 40002, values: [203]) }
        #expect(throws: SunSpecError.self) { try image.writeRegisters(address: 39999, values: [0]) }
        #expect(throws: SunSpecError.self) { try image.writeRegisters(address: 40000 + image.registers.count, values: [0]) }
        #expect(try image.readHoldingRegisters(address: 39990, count: 5) == [])
    }

    @Test func imageThatDoesNotFitIsRefused() {
        #expect(throws: SunSpecError.self) {
            try SunSpecImageBuilder(base: 65400, common: Images.identity, models: [SunSpecModels.meterWyeFloat])
        }
    }

    @Test func jsonCarriesBaseAndRegisters() throws {
        let image = try Images.meter203()
        #expect(image.json.hasPrefix("{\"base\":40000,\"registers\":[21365,28243,1,66,"))
        #expect(image.json.hasSuffix(",65535,0]}"))
    }
}
