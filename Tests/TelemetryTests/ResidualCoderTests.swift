import Testing
@testable import Telemetry

@Suite("Residual coding: Rice, escapes and zero runs")
struct ResidualCoderTests {
    static func roundTrip(_ values: [UInt64], _ coder: ResidualCoder) throws -> (bits: Int, back: [UInt64]) {
        var writer = BitWriter()
        coder.write(values, into: &writer)
        let bytes = writer.finish()
        var reader = BitReader(bytes[...], reportedBase: 0)
        let back = try coder.read(values.count, from: &reader, channel: "x_v")
        try reader.checkEnd("test stream")
        return (bytes.count * 8 - reader.remainingBits, back)
    }

    static let streams: [[UInt64]] = [
        [],
        [0, 0, 0, 0],
        [1, 2, 3, 4, 5, 6, 7, 8],
        [0, 0, 0, 9, 0, 0, 1, 0, 0, 0, 0, 2],
        [UInt64.max >> 1, 0, 1 << 62, 3, (1 << 40) + 12_345],  // escapes at every length up to 63 bits
        (0..<200).map { UInt64(($0 * 7_919) % 301) },
    ]

    @Test("every stream comes back under every k and under the cheapest coder", arguments: streams)
    func roundTrips(values: [UInt64]) throws {
        for k in [0, 1, 3, 7, 20, ResidualCoder.maxK] {
            #expect(try Self.roundTrip(values, .rice(k: k)).back == values)
        }
        let (coder, bits) = ResidualCoder.cheapest(values)
        let result = try Self.roundTrip(values, coder)
        #expect(result.back == values)
        // The priced size is the written size plus the header bytes: the search compares real costs.
        var header = ByteWriter()
        coder.writeHeader(into: &header)
        #expect(bits == result.bits + 8 * header.bytes.count)
    }

    @Test("slow channels cost under a bit a value in zero runs")
    func sparseWins() throws {
        var values = [UInt64](repeating: 0, count: 600)
        values[100] = 1
        values[410] = 2
        let (coder, bits) = ResidualCoder.cheapest(values)
        guard case .sparse(let nonZero, _, _) = coder else {
            Issue.record("expected the sparse coder, got \(coder)")
            return
        }
        #expect(nonZero == 2)
        #expect(bits < values.count / 4)
    }

    @Test("an escape for a value that fits the Rice code is refused as not canonical")
    func nonCanonicalEscape() throws {
        var writer = BitWriter()
        writer.bits(0, count: ResidualCoder.escapeQuotient)
        writer.bits(3, count: 6)  // length 3: the value 5 (0b101), which Rice(k = 0) writes as 5 zeros and a one
        writer.bits(1, count: 2)
        let bytes = writer.finish()
        var reader = BitReader(bytes[...], reportedBase: 0)
        let error = #expect(throws: TelemetryFrameError.self) { try ResidualCoder.readRice(k: 0, from: &reader, channel: "x_v") }
        #expect(error?.description == "frame.bad_field")
        #expect(error?.message.contains("not canonical") == true)
    }

    @Test("a zero run past the column's end is refused")
    func runPastEnd() throws {
        var writer = BitWriter()
        ResidualCoder.rice(5, k: 0, into: &writer)  // five zeros before the first non-zero value: needs six cells
        ResidualCoder.rice(0, k: 0, into: &writer)
        let bytes = writer.finish()
        var reader = BitReader(bytes[...], reportedBase: 0)
        let error = #expect(throws: TelemetryFrameError.self) {
            try ResidualCoder.sparse(nonZero: 1, runK: 0, valueK: 0).read(5, from: &reader, channel: "x_v")
        }
        #expect(error?.description == "frame.bad_field")
    }

    @Test("padding must be zero and the stream must end in its last byte")
    func padding() throws {
        var reader = BitReader([0b1000_0001][...], reportedBase: 0)
        #expect(try reader.bit("b") == 1)
        #expect(throws: TelemetryFrameError.self) { try reader.checkEnd("stream") }
        let long = BitReader([0, 0][...], reportedBase: 0)
        let error = #expect(throws: TelemetryFrameError.self) { try long.checkEnd("stream") }
        #expect(error?.description == "frame.trailing")
        var short = BitReader([0xFF][...], reportedBase: 0)
        let truncated = #expect(throws: TelemetryFrameError.self) { try short.bits(9, "nine bits") }
        #expect(truncated?.description == "frame.truncated")
    }
}
