import EdgeZstd
import Testing

@Suite("Zstd roundtrip")
struct ZstdRoundtripTests {
    @Test("compress then decompress returns the input", arguments: [0, 1, 2, 100, 65_536, 1 << 20], [Int32(-1), 1, 3, 12])
    func roundtrip(size: Int, level: Int32) throws {
        var data = SampleData(seed: UInt64(size))
        let input = data.telemetryBytes(count: size)
        let frame = try Zstd.compress(input, level: level)
        let output = try Zstd.decompress(frame, maxDecompressedBytes: size)
        #expect(output == input)
    }

    @Test("incompressible input still roundtrips")
    func incompressible() throws {
        var data = SampleData(seed: 7)
        let input = data.randomBytes(count: 300_000)
        let frame = try Zstd.compress(input)
        #expect(try Zstd.decompress(frame, maxDecompressedBytes: input.count) == input)
    }

    @Test("telemetry text compresses well at the default level")
    func compresses() throws {
        var data = SampleData(seed: 3)
        let input = data.telemetryBytes(count: 1 << 20)
        let frame = try Zstd.compress(input)
        #expect(frame.count * 4 < input.count)
    }

    @Test("a cap exactly at the output size is allowed, one byte less is not")
    func capBoundary() throws {
        var data = SampleData(seed: 11)
        let input = data.telemetryBytes(count: 200_000)
        let frame = try Zstd.compress(input)
        #expect(try Zstd.decompress(frame, maxDecompressedBytes: input.count) == input)
        let error = #expect(throws: ZstdError.self) {
            try Zstd.decompress(frame, maxDecompressedBytes: input.count - 1)
        }
        #expect(error?.kind == .tooLarge)
        #expect(error?.limit == input.count - 1)
    }
}
