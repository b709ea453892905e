import CZstd
import EdgeZstd
import Testing

@Suite("Zstd rejects hostile and broken frames")
struct ZstdMalformedTests {
    /// Streams 256 MiB of zeros through ZSTD_compressStream2 with no pledged size: a tiny frame, a huge output.
    static func zeroBomb() throws -> [UInt8] {
        let cctx = try #require(ZSTD_createCCtx())
        defer { ZSTD_freeCCtx(cctx) }
        #expect(ZSTD_isError(ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, 1)) == 0)
        let zeros = [UInt8](repeating: 0, count: 1 << 20)
        var frame: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: ZSTD_CStreamOutSize())
        for round in 0..<256 {
            let mode = round == 255 ? ZSTD_e_end : ZSTD_e_continue
            try zeros.withUnsafeBytes { source in
                var input = ZSTD_inBuffer(src: source.baseAddress, size: source.count, pos: 0)
                var finished = false
                while !finished {
                    let (remaining, produced) = chunk.withUnsafeMutableBytes { destination in
                        var output = ZSTD_outBuffer(dst: destination.baseAddress, size: destination.count, pos: 0)
                        let result = ZSTD_compressStream2(cctx, &output, &input, mode)
                        return (result, output.pos)
                    }
                    try #require(ZSTD_isError(remaining) == 0)
                    frame += chunk[0..<produced]
                    finished = mode == ZSTD_e_end ? remaining == 0 : input.pos == input.size
                }
            }
        }
        return frame
    }

    /// Rewrites a frame header that has no content-size field so it claims `claimedBytes` (RFC 8878 §3.1.1.1).
    static func withClaimedContentSize(_ frame: [UInt8], claimedBytes: UInt64) throws -> [UInt8] {
        let descriptor = frame[4]
        // No content-size field, not single-segment (so a window descriptor byte follows), no dictionary id.
        try #require(descriptor & 0b1110_0011 == 0)
        let sizeField = (0..<8).map { UInt8(truncatingIfNeeded: claimedBytes >> (8 * UInt64($0))) }
        return Array(frame[0..<4]) + [descriptor | 0b1100_0000, frame[5]] + sizeField + Array(frame[6...])
    }

    @Test("a 256 MiB zero bomb hits the 1 MiB cap with tooLarge")
    func zeroBombIsTooLarge() throws {
        let frame = try Self.zeroBomb()
        #expect(frame.count < 64 * 1024)
        let error = #expect(throws: ZstdError.self) { try Zstd.decompress(frame, maxDecompressedBytes: 1 << 20) }
        #expect(error?.kind == .tooLarge)
        #expect(error?.limit == 1 << 20)
    }

    @Test("a bomb whose header claims 1000 bytes is rejected by zstd's per-block size check")
    func bombClaimingLittle() throws {
        let frame = try Self.withClaimedContentSize(try Self.zeroBomb(), claimedBytes: 1_000)
        #expect(Int(ZSTD_getFrameContentSize(frame, frame.count)) == 1_000)
        let error = #expect(throws: ZstdError.self) { try Zstd.decompress(frame, maxDecompressedBytes: 1 << 20) }
        #expect(error?.kind == .corrupt)
    }

    @Test("a bomb whose header claims 1 TiB is stopped at the cap, not sized from the header")
    func bombClaimingHuge() throws {
        let frame = try Self.withClaimedContentSize(try Self.zeroBomb(), claimedBytes: 1 << 40)
        let error = #expect(throws: ZstdError.self) { try Zstd.decompress(frame, maxDecompressedBytes: 1 << 20) }
        #expect(error?.kind == .tooLarge)
    }

    @Test("a header that understates the content is rejected, not trusted", arguments: [UInt64(10), 4_096])
    func understatedContentSize(claimedBytes: UInt64) throws {
        var data = SampleData(seed: 5)
        let input = data.telemetryBytes(count: 300_000)
        let honest = try Self.streamedFrame(input)
        #expect(try Zstd.decompress(honest, maxDecompressedBytes: input.count) == input)
        let lying = try Self.withClaimedContentSize(honest, claimedBytes: claimedBytes)
        let error = #expect(throws: ZstdError.self) { try Zstd.decompress(lying, maxDecompressedBytes: 1 << 22) }
        #expect(error?.kind == .corrupt)
    }

    @Test("a header that claims 1 TiB allocates nothing and is rejected")
    func overstatedContentSize() throws {
        var data = SampleData(seed: 6)
        let input = data.telemetryBytes(count: 10_000)
        let lying = try Self.withClaimedContentSize(try Self.streamedFrame(input), claimedBytes: 1 << 40)
        let error = #expect(throws: ZstdError.self) { try Zstd.decompress(lying, maxDecompressedBytes: 1 << 20) }
        #expect(error?.kind == .corrupt)
    }

    @Test("a frame cut short is truncated", arguments: [1, 4, 10, 5_000])
    func truncated(droppedBytes: Int) throws {
        var data = SampleData(seed: 9)
        let frame = try Zstd.compress(data.telemetryBytes(count: 100_000))
        try #require(frame.count > droppedBytes)
        let error = #expect(throws: ZstdError.self) {
            try Zstd.decompress(Array(frame.dropLast(droppedBytes)), maxDecompressedBytes: 1 << 20)
        }
        #expect(error?.kind == .truncated)
    }

    @Test("random bytes are corrupt, with zstd's reason")
    func randomBytes() throws {
        var data = SampleData(seed: 13)
        let error = #expect(throws: ZstdError.self) {
            try Zstd.decompress(data.randomBytes(count: 1_000), maxDecompressedBytes: 1 << 20)
        }
        #expect(error?.kind == .corrupt)
        #expect(error?.reason.contains("Unknown frame descriptor") == true)
    }

    @Test("a flipped byte inside a frame is corrupt (content checksum)")
    func flippedByte() throws {
        var data = SampleData(seed: 17)
        var frame = try Zstd.compress(data.telemetryBytes(count: 50_000))
        frame[frame.count / 2] ^= 0x40
        let error = #expect(throws: ZstdError.self) { try Zstd.decompress(frame, maxDecompressedBytes: 1 << 20) }
        #expect(error?.kind == .corrupt)
    }

    @Test("bytes after the frame are rejected", arguments: [[UInt8(0)], [1, 2, 3]])
    func trailingBytes(extra: [UInt8]) throws {
        let frame = try Zstd.compress(Array("hello transformer".utf8))
        let error = #expect(throws: ZstdError.self) { try Zstd.decompress(frame + extra, maxDecompressedBytes: 1_000) }
        #expect(error?.kind == .trailingData)
    }

    @Test("a second frame after the first is rejected too")
    func twoFrames() throws {
        let frame = try Zstd.compress(Array("phase L1".utf8))
        let error = #expect(throws: ZstdError.self) { try Zstd.decompress(frame + frame, maxDecompressedBytes: 1_000) }
        #expect(error?.kind == .trailingData)
    }

    @Test("empty input is rejected")
    func emptyInput() {
        let error = #expect(throws: ZstdError.self) { try Zstd.decompress([], maxDecompressedBytes: 1_000) }
        #expect(error?.kind == .empty)
    }

    /// A frame made by the streaming API without a pledged size: its header has no content-size field.
    static func streamedFrame(_ input: [UInt8]) throws -> [UInt8] {
        let cctx = try #require(ZSTD_createCCtx())
        defer { ZSTD_freeCCtx(cctx) }
        // No content-size field: the frame looks like one written by a streaming producer.
        #expect(ZSTD_isError(ZSTD_CCtx_setParameter(cctx, ZSTD_c_contentSizeFlag, 0)) == 0)
        var frame = [UInt8](repeating: 0, count: ZSTD_compressBound(input.count) + 64)
        var produced = 0
        try input.withUnsafeBytes { source in
            try frame.withUnsafeMutableBytes { destination in
                var inBuffer = ZSTD_inBuffer(src: source.baseAddress, size: source.count, pos: 0)
                var outBuffer = ZSTD_outBuffer(dst: destination.baseAddress, size: destination.count, pos: 0)
                let remaining = ZSTD_compressStream2(cctx, &outBuffer, &inBuffer, ZSTD_e_end)
                try #require(remaining == 0)
                produced = outBuffer.pos
            }
        }
        return Array(frame.prefix(produced))
    }
}
