import EdgeZstd
import Testing
@testable import Telemetry

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
        var frame: [UInt8] = [TelemetryFormat.version, 0, 0, 0, 0, 0]
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

    @Test("unknown versions are refused", arguments: [0, 2, 0x28, 0xFF] as [UInt8])
    func badVersion(version: UInt8) throws {
        var frame = try Self.small().frame
        frame[0] = version
        #expect(Self.label(frame) == "frame.bad_version")
    }

    @Test("a body that does not match its CRC-32 is refused")
    func checksum() throws {
        let batch = try Self.small().batch
        let body = try TelemetryEncoder().body(of: batch)
        var corrupted = body
        corrupted[corrupted.count - 1] ^= 0x01
        #expect(Self.label(try TestStreams.frame(body: corrupted, crc: CRC32.checksum(body))) == "frame.checksum")
        var frame = try Self.small().frame
        frame[3] ^= 0x80  // inside the CRC field
        #expect(Self.label(frame) == "frame.checksum")
        // A known vector: CRC-32 of "123456789" is 0xCBF43926.
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
    }

    @Test("too many channels or rows are refused before allocation")
    func counts() throws {
        var body = ByteWriter()
        body.varint(2); body.bytes(Array("tx".utf8)); body.varint(1); body.signed(0)
        body.varint(300); body.varint(10)
        #expect(Self.label(try TestStreams.frame(body: body.bytes)) == "frame.too_many_channels")
        body = ByteWriter()
        body.varint(2); body.bytes(Array("tx".utf8)); body.varint(1); body.signed(0)
        body.varint(1); body.varint(UInt64.max)
        #expect(Self.label(try TestStreams.frame(body: body.bytes)) == "frame.too_many_rows")
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

    @Test("bytes after the zstd frame or after the body are refused")
    func trailing() throws {
        let small = try Self.small()
        #expect(Self.label(small.frame + [0]) == "frame.trailing")
        let body = try TelemetryEncoder().body(of: small.batch)
        #expect(Self.label(try TestStreams.frame(body: body + [0x00])) == "frame.trailing")
    }

    @Test("a bad tag, a bad channel name or a bad agent id is refused")
    func badFields() throws {
        let batch = try TelemetryBatch(agentID: "tx", sequence: 1, startTimeMs: 0, timing: .regular(intervalMs: 1000),
                                       channels: [try ChannelSpec(name: "x_v")], columns: [[1, 2]], rowCount: 2)
        var body = try TelemetryEncoder().body(of: batch)
        let tagOffset = body.count - 3  // tag, then two one-byte values
        body[tagOffset] = 0x47
        #expect(Self.label(try TestStreams.frame(body: body)) == "frame.bad_tag")
        var renamed = try TelemetryEncoder().body(of: batch)
        renamed[renamed.count - 4] = UInt8(ascii: "w")  // x_v → x_w: no such unit
        #expect(Self.label(try TestStreams.frame(body: renamed)) == "frame.bad_field")
        var agent = try TelemetryEncoder().body(of: batch)
        agent[1] = 0x20  // a space in the agent id
        #expect(Self.label(try TestStreams.frame(body: agent)) == "frame.bad_field")
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
            if random.chance(0.5), !bytes.isEmpty { bytes[0] = TelemetryFormat.version }
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
            _ = Self.label(try TestStreams.frame(body: mutated))  // must return, whatever the label
        }
    }
}
