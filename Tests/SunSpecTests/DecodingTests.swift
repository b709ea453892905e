import SunSpec
import Testing

@Suite struct DecodingTests {
    @Test(arguments: [
        (Int64(2301), -1, 230.1), (Int64(-2301), -1, -230.1), (Int64(12), 3, 12_000), (Int64(4998), -2, 49.98),
        (Int64(1), -10, 1e-10), (Int64(7), 10, 7e10), (Int64(0), -3, 0), (Int64(-32767), 0, -32767),
    ])
    func scaleFactorMaths(raw: Int64, sf: Int, expected: Double) {
        #expect(SunSpecDecode.scaled(raw, scaleFactor: sf) == expected)
    }

    @Test(arguments: [11, -11, 100, -32767])
    func scaleFactorOutsideRangeGivesNil(sf: Int) {
        #expect(SunSpecDecode.scaled(100, scaleFactor: sf) == nil)
        #expect(SunSpecDecode.scaleFactor(UInt16(bitPattern: Int16(sf))) == nil)
    }

    @Test func scaleFactorRegisterDecodes() {
        #expect(SunSpecDecode.scaleFactor(0xFFFE) == -2)
        #expect(SunSpecDecode.scaleFactor(0x000A) == 10)
        #expect(SunSpecDecode.scaleFactor(0xFFF6) == -10)
        #expect(SunSpecDecode.scaleFactor(0x8000) == nil)
    }

    @Test func notImplementedMarkersDecodeToNil() {
        #expect(SunSpecDecode.int16(0x8000) == nil)
        #expect(SunSpecDecode.uint16(0xFFFF) == nil)
        #expect(SunSpecDecode.int32(0x8000, 0x0000) == nil)
        #expect(SunSpecDecode.uint32(0xFFFF, 0xFFFF) == nil)
        #expect(SunSpecDecode.acc32(0, 0) == nil)
        #expect(SunSpecDecode.float32(0x7FC0, 0x0000) == nil)
        #expect(SunSpecDecode.float32(0x7F80, 0x0000) == nil)  // +infinity: not a number either
        #expect(SunSpecDecode.uint64([0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF]) == nil)
        #expect(SunSpecDecode.uint64([0, 0, 0, 0], zeroIsNotImplemented: true) == nil)
        #expect(SunSpecDecode.string([0, 0, 0, 0]) == nil)
    }

    @Test func neighboursOfTheMarkersAreNumbers() {
        #expect(SunSpecDecode.int16(0x8001) == -32767)
        #expect(SunSpecDecode.int16(0x7FFF) == 32767)
        #expect(SunSpecDecode.uint16(0xFFFE) == 65534)
        #expect(SunSpecDecode.int32(0xFFFF, 0xFFFF) == -1)
        #expect(SunSpecDecode.int32(0x8000, 0x0001) == Int32.min + 1)
        #expect(SunSpecDecode.uint32(0x0001, 0x0002) == 65538)
        #expect(SunSpecDecode.acc32(0, 1) == 1)
        #expect(SunSpecDecode.float32(0x4366, 0x199A) == Float(230.1))
        #expect(SunSpecDecode.uint64([0, 0, 1, 0]) == 65536)
    }

    @Test func stringsDropPaddingAndKeepText() {
        let words = SunSpecEncode.string("SunSpec Ω", words: 8)
        #expect(words.count == 8)
        #expect(SunSpecDecode.string(words[...]) == "SunSpec Ω")
        #expect(SunSpecDecode.string([0x4142, 0x2020, 0x0000][...]) == "AB")
        #expect(SunSpecDecode.string(SunSpecEncode.string("ABCDEFGH", words: 2)[...]) == "ABCD")
        #expect(SunSpecEncode.string("AΩ", words: 1) == [0x4100])  // a 2-byte character is not cut in half
    }

    @Test(arguments: [SunSpecPointType.int16, .uint16, .int32, .uint32, .acc32, .sunssf, .enum16, .bitfield32])
    func encodeRoundTripsAndNeverWritesTheMarker(type: SunSpecPointType) throws {
        let range = try #require(SunSpecEncode.range(of: type))
        for raw in [range.lowerBound, range.upperBound, 0, 1] where range.contains(raw) {
            let words = try SunSpecEncode.integer(raw, as: type, name: "x")
            #expect(words.count == type.words)
            if raw != 0 || type != .acc32 { #expect(words != type.notImplemented, "\(type) \(raw)") }
        }
        #expect(throws: SunSpecError.self) { try SunSpecEncode.integer(range.upperBound + 1, as: type, name: "x") }
        #expect(throws: SunSpecError.self) { try SunSpecEncode.integer(range.lowerBound - 1, as: type, name: "x") }
    }

    @Test func encodingRefusesNaNAndKeepsZeroExact() throws {
        #expect(throws: SunSpecError.self) { try SunSpecEncode.scaledRaw(.nan, scaleFactor: 0, name: "W") }
        #expect(throws: SunSpecError.self) { try SunSpecEncode.scaledRaw(.infinity, scaleFactor: 0, name: "W") }
        #expect(throws: SunSpecError.self) { try SunSpecEncode.scaledRaw(1, scaleFactor: 11, name: "W") }
        #expect(try SunSpecEncode.scaledRaw(-0.0, scaleFactor: -2, name: "W") == 0)
        #expect(try SunSpecEncode.integer(SunSpecEncode.scaledRaw(-0.004, scaleFactor: -2, name: "W"), as: .int16, name: "W") == [0])
        #expect(try SunSpecEncode.scaledRaw(230.1, scaleFactor: -1, name: "V") == 2301)
        #expect(try SunSpecEncode.scaledRaw(-7400, scaleFactor: 2, name: "W") == -74)
    }
}
