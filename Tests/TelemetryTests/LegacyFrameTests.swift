import EdgeZstd
import Foundation
import Testing
@testable import Telemetry
import TelemetryTesting

/// Frames written by the version-1 encoder (examples/telemetry/v1/): agents in the field upgrade after their
/// aggregator, so the decoder must keep reading them exactly.
@Suite("Version-1 frames still decode")
struct LegacyFrameTests {
    /// examples/telemetry/v1/NAME, from the package root (three levels above this file).
    static func fixture(_ name: String, filePath: String = #filePath) throws -> [UInt8] {
        let root = filePath.split(separator: "/", omittingEmptySubsequences: false).dropLast(3).joined(separator: "/")
        let path = root + "/examples/telemetry/v1/" + name
        return try #require(FileManager.default.contents(atPath: path).map { [UInt8]($0) }, "missing fixture \(path)")
    }

    /// The body of a version-1 frame without a dictionary (version, dictionary id 0, CRC-32, zstd frame).
    static func body(ofLegacy frame: [UInt8]) throws -> [UInt8] {
        try Zstd.decompress(Array(frame[6...]), maxDecompressedBytes: 1 << 20)
    }

    @Test("the feeder's frames decode to the batches they were made from")
    func feeder() throws {
        var feeder = SyntheticFeeder(seed: 1)
        let batches = feeder.batches(count: 3)
        for (index, batch) in batches.enumerated() {
            let frame = try Self.fixture("feeder-seed1-batch\(index + 1).frame")
            #expect(frame[0] == 1)
            #expect(try TelemetryDecoder().decode(frame) == batch)
        }
    }

    @Test("a frame made with the version-1 example dictionary decodes with it")
    func dictionary() throws {
        let dictionary = try TelemetryDictionary(bytes: try Self.fixture("feeder-26ch-v1.dict"))
        let frame = try Self.fixture("feeder-seed1-batch1-dict.frame")
        var feeder = SyntheticFeeder(seed: 1)
        #expect(try TelemetryDecoder(dictionaries: [dictionary]).decode(frame) == feeder.batches(count: 1)[0])
        #expect(MalformedFrameTests.label(frame) == "frame.dictionary")
    }

    @Test("gaps of every presence form, explicit times and extreme values decode")
    func gaps() throws {
        let batch = try TelemetryDecoder().decode(try Self.fixture("gaps-explicit.frame"))
        let lines = String(decoding: try Self.fixture("gaps-explicit.quanta.csv"), as: UTF8.self)
            .split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        #expect(batch.agentID == "tx-legacy")
        #expect(batch.sequence == 42)
        #expect(batch.channels.map(\.name) == lines[0].dropFirst().map(String.init))
        #expect(batch.rowCount == lines.count - 1)
        for (row, fields) in lines.dropFirst().enumerated() {
            #expect(batch.timeMs(ofRow: row) == Int64(fields[0]))
            for (channel, field) in fields.dropFirst().enumerated() {
                #expect(batch.columns[channel][row] == Int64(field), "row \(row) channel \(channel)")
            }
        }
        #expect(batch.columns[4].allSatisfy { $0 == nil })
        #expect(batch.columns[5].contains((1 << 53) - 1))
    }

    @Test("a version-1 frame above the cell cap is refused before its columns are read")
    func cellCap() throws {
        let frame = try Self.fixture("feeder-seed1-batch1.frame")  // 60 rows × 26 channels
        let limits = TelemetryLimits(maxCells: 60 * 26 - 1)
        let error = #expect(throws: TelemetryFrameError.self) { try TelemetryDecoder(limits: limits).decode(frame) }
        #expect(error?.description == "frame.too_large")
        #expect(error?.message.contains("1560 cells") == true)
        #expect(MalformedFrameTests.label(frame, TelemetryDecoder(limits: TelemetryLimits(maxCells: 60 * 26))) == nil)
    }

    /// A prediction scale of -2^63 once trapped in `abs` inside the decoder: one frame could stop an aggregator.
    @Test("a version-1 prediction scale of -2^63 is refused, not a crash")
    func minimumScale() throws {
        var body = ByteWriter()
        body.varint(2); body.bytes(Array("tx".utf8)); body.varint(1); body.signed(0)
        body.varint(2); body.varint(3); body.byte(0); body.varint(1000)
        for name in ["a_a", "a_kw"] { body.varint(UInt64(name.utf8.count)); body.bytes(Array(name.utf8)) }
        body.byte(0x01); [10, 1, 1].forEach { body.signed($0) }  // delta column
        body.byte(0x03); body.byte(1); body.varint(0); body.varint(UInt64.max)  // zigzag of Int64.min
        [5, 1, 1].forEach { body.signed($0) }
        let error = #expect(throws: TelemetryFrameError.self) {
            try TelemetryDecoder().decode(try TestStreams.frame(body: body.bytes, version: 1))
        }
        #expect(error?.description == "frame.bad_field")
    }

    @Test("mutated version-1 bodies with a valid CRC decode or fail typed, never trap", arguments: 1...4 as ClosedRange<UInt64>)
    func mutated(seed: UInt64) throws {
        var random = Seeded(seed: seed)
        for name in ["feeder-seed1-batch2.frame", "gaps-explicit.frame"] {
            let body = try Self.body(ofLegacy: try Self.fixture(name))
            for _ in 0..<150 {
                var mutated = body
                for _ in 0...random.below(3) { mutated[random.below(mutated.count)] = UInt8(truncatingIfNeeded: random.next()) }
                if random.chance(0.2) { mutated.removeLast(random.below(mutated.count)) }
                _ = MalformedFrameTests.label(try TestStreams.frame(body: mutated, version: 1))
            }
        }
    }
}
