import SunSpec
import Testing

@Suite struct DiscoveryTests {
    @Test(arguments: [40000, 0, 50000])
    func discoversAtEachStandardBase(base: Int) throws {
        var image = try Images.charger(base: base)
        let device = try SunSpecDevice.discover(reader: &image)
        #expect(device.base == base)
        #expect(device.models.map(\.id) == [1, 701, 702, 704, 713, 64900])
        #expect(device.models.map(\.length) == [66, 153, 50, 65, 7, 6])
        #expect(device.models.first?.address == base + 2)
        // Each model starts right after the previous one's ID, L and data.
        for (previous, next) in zip(device.models, device.models.dropFirst()) {
            #expect(next.address == previous.address + 2 + previous.length)
        }
        #expect(device.model(704)?.dataAddress == device.model(704).map { $0.address + 2 })
    }

    @Test func unreadableBasesAreSkipped() throws {
        let image = try Images.meter203(base: 50000)
        var fake = FakeRegisters(base: 50000, words: image.registers, failingAddress: 40000)
        let device = try SunSpecDevice.discover(reader: &fake)
        #expect(device.base == 50000)
        #expect(device.models.map(\.id) == [1, 203])
    }

    @Test func noMarkerIsATypedErrorNamingTheBases() throws {
        var fake = FakeRegisters(base: 40000, words: [0x5375, 0x6E54, 1, 66], failingAddress: 0)
        let error = try #require(throws: SunSpecError.self) { try SunSpecDevice.discover(reader: &fake) }
        #expect(error.label == "sunspec.no_marker")
        #expect(error.message.contains("40000") && error.message.contains("50000"))
    }

    @Test func lengthPastTheEndIsRefused() throws {
        // Marker at 65000, then model 1 claiming 600 registers: 65002 + 2 + 600 > 65535.
        var fake = FakeRegisters(base: 65000, words: [0x5375, 0x6E53, 1, 600])
        let error = try #require(throws: SunSpecError.self) { try SunSpecDevice.discover(reader: &fake, bases: [65000]) }
        #expect(error.label == "sunspec.length_past_end")
        #expect(error.message.contains("65002"))
    }

    @Test func lengthThatWouldWrapBackIsRefusedNotLooped() throws {
        // L = 65534 from 40002 would point back to 40002 on a device that counts addresses modulo 2^16.
        var fake = FakeRegisters(base: 40000, words: [0x5375, 0x6E53, 1, 65534])
        let error = try #require(throws: SunSpecError.self) { try SunSpecDevice.discover(reader: &fake) }
        #expect(error.label == "sunspec.length_past_end")
    }

    @Test func chainWithoutEndMarkerStopsAt64Models() throws {
        // Zero-length models forever: a map whose end marker is missing.
        var fake = FakeRegisters(base: 0, words: [0x5375, 0x6E53] + Array(repeating: [UInt16(1), 0], count: 1000).flatMap { $0 })
        let error = try #require(throws: SunSpecError.self) { try SunSpecDevice.discover(reader: &fake, bases: [0]) }
        #expect(error.label == "sunspec.too_many_models")
        #expect(error.message.contains("\(2 + 64 * 2)"))
        #expect(fake.reads.count < 200)
    }

    @Test func mapThatEndsWithoutAnEndMarkerIsATruncatedRead() throws {
        let image = try Images.meter203()
        var fake = FakeRegisters(base: 40000, words: Array(image.registers.dropLast(2)))
        let error = try #require(throws: SunSpecError.self) { try SunSpecDevice.discover(reader: &fake) }
        #expect(error.isTruncatedRead)
    }

    @Test func truncatedModelReadIsATypedError() throws {
        let image = try Images.meter203()
        var fake = FakeRegisters(base: 40000, words: image.registers)
        let device = try SunSpecDevice.discover(reader: &fake)
        fake.truncateFrom = 40000
        let error = try #require(throws: SunSpecError.self) { try device.readMeter(reader: &fake) }
        #expect(error.isTruncatedRead)
        #expect(error.message.contains("\(try #require(device.model(203)).dataAddress)"))
    }

    @Test func longModelsAreReadIn125RegisterChunks() throws {
        let image = try Images.charger()
        var fake = FakeRegisters(base: 40000, words: image.registers)
        let device = try SunSpecDevice.discover(reader: &fake)
        _ = try device.readDER(reader: &fake)
        #expect(fake.reads.allSatisfy { $0.count <= 125 })
        #expect(fake.reads.contains { $0.address == device.model(701)!.dataAddress && $0.count == 125 })
    }
}
