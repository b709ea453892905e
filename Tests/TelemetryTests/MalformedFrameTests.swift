import EdgeZstd
import Testing
@testable import Telemetry
import TelemetryTesting

@Suite("Malformed telemetry frames are refused with the right reason")
struct MalformedFrameTests {
    static func small() throws -> (batch: TelemetryBatch, frame: [UInt8]) {
        let batch = try TestStreams.hostile(seed: 3, rows: 8, channels: 3)
        return (batch, try TelemetryEncoder().encode(batch))
    }

    /// The label of the error decoding `frame` throws, or nil when it decodes.
    static func label(_ frame: [UInt8], _ decoder: TelemetryDecoder = TelemetryDecoder()) -> String? {
        do {
            _ = try decoder.decode(frame)
            return nil
        } catch {
            return error.description
        }
    }

    /// A version-2 body start: agent id "tx", sequence 1, start time 0, regular 1 s rows.
    static func bodyStart() -> ByteWriter {
        var body = ByteWriter()
        body.varint(2); body.bytes(Array("tx".utf8)); body.varint(1); body.signed(0)
        body.byte(TelemetryFormat.regularTiming); body.varint(1000)
        return body
    }

    @Test("every proper prefix of a frame is truncated")
    func truncatedAtEveryLength() throws {
        let frame = try Self.small().frame
        for length in 0..<frame.count {
            #expect(Self.label(Array(frame.prefix(length))) == "frame.truncated", "prefix of \(length) bytes")
        }
    }

    @Test("a zstd bomb stops at the body limit")
    func bomb() throws {
        // 64 MiB of zeros compress to a few KiB: a tiny frame that would inflate far past the 8 MiB limit.
        let zeros = [UInt8](repeating: 0, count: 64 << 20)
        var frame: [UInt8] = [TelemetryFormat.version, 0, 1, 1, 0, 0, 0, 0]
        frame += try Zstd.compress(zeros, level: 1)
        #expect(frame.count < 64 << 10)
        #expect(Self.label(frame) == "frame.bomb")
        // And a legitimate frame is a bomb for a decoder whose body limit is below its size.
        let small = try Self.small()
        let body = try TelemetryEncoder().body(of: small.batch)
        #expect(Self.label(small.frame, TelemetryDecoder(limits: TelemetryLimits(maxBodyBytes: body.count - 1))) == "frame.bomb")
        #expect(Self.label(small.frame, TelemetryDecoder(limits: TelemetryLimits(maxBodyBytes: body.count))) == nil)
    }

    @Test("a frame above the compressed size limit is refused before decompression")
    func tooLarge() throws {
        let frame = try Self.small().frame
        #expect(Self.label(frame, TelemetryDecoder(limits: TelemetryLimits(maxFrameBytes: frame.count - 1))) == "frame.too_large")
    }

    @Test("a frame over the rows × channels cap is refused from its header, before zstd runs")
    func cellCap() throws {
        // 3600 rows × 256 channels: within the row and channel limits, far over the default cell cap. The zstd
        // frame is garbage, so any other label would mean the decoder went past the header.
        var header = ByteWriter()
        header.byte(TelemetryFormat.version); header.varint(0); header.varint(256); header.varint(3_600)
        let frame = header.bytes + [0, 0, 0, 0] + [UInt8](repeating: 0xEE, count: 64)
        let error = #expect(throws: TelemetryFrameError.self) { try TelemetryDecoder().decode(frame) }
        #expect(error?.description == "frame.too_large")
        #expect(error?.message.contains("3600 rows × 256 channels = 921600 cells") == true)
        #expect(error?.message.contains("\(TelemetryLimits.defaultMaxCells)") == true)
        // The cap is the caller's: raised, the same frame gets as far as zstd.
        let roomy = TelemetryDecoder(limits: TelemetryLimits(maxCells: 3_600 * 256))
        #expect(Self.label(frame, roomy) == "frame.corrupt")
        // A real frame at exactly the cap decodes; one cell over, it is refused; the encoder refuses it too.
        let small = try Self.small()  // 8 rows × 3 channels
        #expect(Self.label(small.frame, TelemetryDecoder(limits: TelemetryLimits(maxCells: 24))) == nil)
        #expect(Self.label(small.frame, TelemetryDecoder(limits: TelemetryLimits(maxCells: 23))) == "frame.too_large")
        let encodeError = #expect(throws: TelemetryFrameError.self) {
            try TelemetryEncoder(limits: TelemetryLimits(maxCells: 23)).encode(small.batch)
        }
        #expect(encodeError?.description == "batch.limit")
        #expect(TelemetryLimits(maxCells: 23).maxRows(channels: 3) == 7)
        // The agent's 31-channel row: the default cell cap, not the row cap, sets its frame length.
        #expect(TelemetryLimits().maxRows(channels: 31) == 32_768 / 31)
        #expect(TelemetryLimits().maxRows(channels: 8) == 3_600)
    }

    @Test("unknown versions are refused", arguments: [0, 3, 0x28, 0xFF] as [UInt8])
    func badVersion(version: UInt8) throws {
        var frame = try Self.small().frame
        frame[0] = version
        #expect(Self.label(frame) == "frame.bad_version")
    }

    @Test("a body, or a shape in the header, that does not match the CRC-32 is refused")
    func checksum() throws {
        let small = try Self.small()
        let body = try TelemetryEncoder().body(of: small.batch)
        var corrupted = body
        corrupted[corrupted.count - 1] ^= 0x01
        #expect(Self.label(try TestStreams.frame(body: corrupted, shape: (3, 8), crc: CRC32.checksum([3, 8] + body)))
            == "frame.checksum")
        var frame = small.frame
        #expect(Array(frame[1...3]) == [0, 3, 8])  // no dictionary, 3 channels, 8 rows
        frame[5] ^= 0x80  // inside the CRC field
        #expect(Self.label(frame) == "frame.checksum")
        var shape = small.frame
        shape[3] = 7  // one row fewer: the CRC covers the shape too
        #expect(Self.label(shape) == "frame.checksum")
        // A known vector: CRC-32 of "123456789" is 0xCBF43926.
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
    }

    @Test("too many channels or rows are refused before allocation")
    func counts() throws {
        let empty = Self.bodyStart().bytes
        #expect(Self.label(try TestStreams.frame(body: empty, shape: (300, 10))) == "frame.too_many_channels")
        #expect(Self.label(try TestStreams.frame(body: empty, shape: (1, 3_601))) == "frame.too_many_rows")
        var legacy = ByteWriter()
        legacy.varint(2); legacy.bytes(Array("tx".utf8)); legacy.varint(1); legacy.signed(0)
        legacy.varint(1); legacy.varint(UInt64.max)
        #expect(Self.label(try TestStreams.frame(body: legacy.bytes, version: 1)) == "frame.too_many_rows")
        let small = try Self.small()
        #expect(Self.label(small.frame, TelemetryDecoder(limits: TelemetryLimits(maxChannels: 2))) == "frame.too_many_channels")
        #expect(Self.label(small.frame, TelemetryDecoder(limits: TelemetryLimits(maxRows: 7))) == "frame.too_many_rows")
        let encodeError = #expect(throws: TelemetryFrameError.self) {
            try TelemetryEncoder(limits: TelemetryLimits(maxRows: 7)).encode(small.batch)
        }
        #expect(encodeError?.description == "batch.limit")
    }

    @Test("a varint longer than 64 bits overflows", arguments: [
        [UInt8](repeating: 0xFF, count: 10) + [0x01],  // 11 bytes
        [UInt8](repeating: 0x80, count: 9) + [0x02],  // 10 bytes, 65th bit set
    ])
    func varintOverflow(sequence: [UInt8]) throws {
        var body = ByteWriter()
        body.varint(2); body.bytes(Array("tx".utf8))
        body.bytes(sequence)
        #expect(Self.label(try TestStreams.frame(body: body.bytes)) == "frame.varint_overflow")
        var header: [UInt8] = [TelemetryFormat.version]
        header += sequence
        #expect(Self.label(header + [0, 0, 0, 0, 0x28]) == "frame.varint_overflow")
    }

    @Test("the largest 64-bit varint still decodes")
    func varintMaximum() throws {
        var writer = ByteWriter()
        writer.varint(.max)
        #expect(writer.bytes == [UInt8](repeating: 0xFF, count: 9) + [0x01])
        var reader = ByteReader(writer.bytes)
        #expect(try reader.varint("max") == .max)
    }

    @Test("bytes after the zstd frame or after the bit stream are refused")
    func trailing() throws {
        let small = try Self.small()
        #expect(Self.label(small.frame + [0]) == "frame.trailing")
        let body = try TelemetryEncoder().body(of: small.batch)
        #expect(Self.label(try TestStreams.frame(body: body + [0x00], shape: (3, 8))) == "frame.trailing")
    }

    /// A one-channel, two-row body: `name` coded as text, then `column` (header bytes and bit stream).
    static func oneColumn(name: String = "x_v", agent: String = "tx", column: [UInt8]) -> [UInt8] {
        var body = ByteWriter()
        body.varint(UInt64(agent.utf8.count)); body.bytes(Array(agent.utf8)); body.varint(1); body.signed(0)
        body.byte(TelemetryFormat.regularTiming); body.varint(1000)
        body.varint(0); body.varint(UInt64(name.utf8.count)); body.bytes(Array(name.utf8))
        return body.bytes + column
    }

    @Test("a bad tag, coder, channel name, agent id or padding is refused")
    func badFields() throws {
        // Values 1, 2 as a delta column: tag 0x01, seed zigzag(1) = 2, Rice k = 0, residual 1 → zigzag 2 → 001, padded.
        let good: [UInt8] = [0x01, 2, 0, 0b0010_0000]
        #expect(Self.label(try TestStreams.frame(body: Self.oneColumn(column: good), shape: (1, 2))) == nil)
        let cases: [(column: [UInt8], name: String, agent: String, label: String)] = [
            ([0x41, 2, 0, 0b0010_0000], "x_v", "tx", "frame.bad_tag"),  // presence 4
            ([0x11], "x_v", "tx", "frame.bad_tag"),  // none present, yet a predictor
            ([0x09, 2, 0, 0b0010_0000], "x_v", "tx", "frame.bad_tag"),  // coder 2
            ([0x01, 2, 63, 0b0010_0000], "x_v", "tx", "frame.bad_field"),  // Rice parameter above 62
            ([0x01, 2, 0, 0b0010_0001], "x_v", "tx", "frame.bad_field"),  // padding bit set
            ([0x03, 2, 1, 0, 2, 0, 0b0010_0000], "x_v", "tx", "frame.bad_field"),  // regression with 2 values
            (good, "x_w", "tx", "frame.bad_field"),  // no such unit
            (good, "x_v", "t x", "frame.bad_field"),  // a space in the agent id
        ]
        for entry in cases {
            let body = Self.oneColumn(name: entry.name, agent: entry.agent, column: entry.column)
            #expect(Self.label(try TestStreams.frame(body: body, shape: (1, 2))) == entry.label, "\(entry)")
        }
    }

    @Test("a frame needing an unknown dictionary is refused")
    func unknownDictionary() throws {
        var feeder = SyntheticFeeder(seed: 11)
        let dictionary = try TelemetryDictionary.train(batches: feeder.batches(count: 60), capacity: 4_096)
        let frame = try TelemetryEncoder(dictionary: dictionary).encode(feeder.batches(count: 1)[0])
        #expect(Self.label(frame) == "frame.dictionary")
        #expect(Self.label(frame, TelemetryDecoder(dictionaries: [dictionary])) == nil)
    }

    @Test("random garbage never crashes and is refused with a reason", arguments: 1...8 as ClosedRange<UInt64>)
    func garbage(seed: UInt64) throws {
        var random = Seeded(seed: seed)
        for _ in 0..<200 {
            var bytes = random.bytes(random.below(300))
            if random.chance(0.5), !bytes.isEmpty { bytes[0] = random.chance(0.5) ? 1 : 2 }
            #expect(Self.label(bytes) != nil)
        }
    }

    @Test("mutated bodies with a valid CRC decode or fail typed, never trap", arguments: 1...8 as ClosedRange<UInt64>)
    func mutatedBodies(seed: UInt64) throws {
        var random = Seeded(seed: seed)
        var feeder = SyntheticFeeder(seed: seed)
        let body = try TelemetryEncoder().body(of: feeder.batches(count: 1, seconds: 20)[0])
        for _ in 0..<150 {
            var mutated = body
            for _ in 0...random.below(3) { mutated[random.below(mutated.count)] = UInt8(truncatingIfNeeded: random.next()) }
            if random.chance(0.2) { mutated.removeLast(random.below(mutated.count)) }
            let shape = random.chance(0.1) ? (random.below(30), random.below(30)) : (26, 20)
            _ = Self.label(try TestStreams.frame(body: mutated, shape: shape))  // must return, whatever the label
        }
    }
}
