internal import CZstd

/// The one checked helper: turns a zstd `size_t` result into `ZstdError`, or returns it.
///
/// `decoding` picks the kind for frame errors: `.corrupt` when reading a frame, `.library` when writing one.
@discardableResult
func zstdCheck(_ result: Int, _ operation: String, decoding: Bool = false) throws -> Int {
    guard ZSTD_isError(result) != 0 else { return result }
    let name = String(cString: ZSTD_getErrorName(result))
    switch ZSTD_getErrorCode(result) {
    case ZSTD_error_dictionary_wrong:
        throw ZstdError.dictionaryMismatch("\(operation): \(name)")
    case ZSTD_error_dictionary_corrupted:
        throw ZstdError.dictionary("\(operation): \(name)")
    case ZSTD_error_memory_allocation, ZSTD_error_parameter_unsupported, ZSTD_error_parameter_outOfBound:
        throw ZstdError.library("\(operation): \(name)")
    default:
        throw decoding ? ZstdError.corrupt("\(operation): \(name)") : ZstdError.library("\(operation): \(name)")
    }
}

/// Owns one `ZSTD_CCtx`. Not Sendable: a context is single-threaded state.
final class ZstdCompressionContext {
    private let cctx: OpaquePointer

    init() throws {
        guard let cctx = ZSTD_createCCtx() else { throw ZstdError.library("ZSTD_createCCtx: out of memory") }
        self.cctx = cctx
    }

    deinit { ZSTD_freeCCtx(cctx) }

    func setParameter(_ parameter: ZSTD_cParameter, _ value: Int32) throws {
        try zstdCheck(ZSTD_CCtx_setParameter(cctx, parameter, value), "ZSTD_CCtx_setParameter")
    }

    func reference(_ dictionary: ZstdDictionary) throws {
        _ = try dictionary.withCompressionDictionary {
            try zstdCheck(ZSTD_CCtx_refCDict(cctx, $0), "ZSTD_CCtx_refCDict")
        }
    }

    /// One-shot compression of `input` into a single frame (size recorded in the header).
    func compress(_ input: [UInt8]) throws -> [UInt8] {
        let bound = try zstdCheck(ZSTD_compressBound(input.count), "ZSTD_compressBound")
        return try [UInt8](unsafeUninitializedCapacity: bound) { output, count in
            count = 0
            count = try input.withUnsafeBytes { source in
                try zstdCheck(
                    ZSTD_compress2(cctx, output.baseAddress, output.count, source.baseAddress, source.count),
                    "ZSTD_compress2")
            }
        }
    }
}

/// Owns one `ZSTD_DCtx` (which is also a `ZSTD_DStream`). Not Sendable: single-threaded state.
final class ZstdDecompressionContext {
    private let dctx: OpaquePointer

    init() throws {
        guard let dctx = ZSTD_createDCtx() else { throw ZstdError.library("ZSTD_createDCtx: out of memory") }
        self.dctx = dctx
    }

    deinit { ZSTD_freeDCtx(dctx) }

    func setWindowLogMax(_ windowLog: Int32) throws {
        try zstdCheck(ZSTD_DCtx_setParameter(dctx, ZSTD_d_windowLogMax, windowLog), "ZSTD_DCtx_setParameter")
    }

    func reference(_ dictionary: ZstdDictionary) throws {
        _ = try dictionary.withDecompressionDictionary {
            try zstdCheck(ZSTD_DCtx_refDDict(dctx, $0), "ZSTD_DCtx_refDDict")
        }
    }

    /// Streams `frame` through the decoder in `ZSTD_DStreamOutSize()` chunks.
    ///
    /// The frame header's content size is never used to size anything: output grows chunk by chunk
    /// and the cap is checked before each append, so a bomb costs at most `cap` + one chunk.
    func decompress(_ frame: [UInt8], cap: Int) throws -> [UInt8] {
        guard !frame.isEmpty else { throw ZstdError.empty() }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: ZSTD_DStreamOutSize())
        let chunkSize = chunk.count
        try frame.withUnsafeBytes { source in
            var input = ZSTD_inBuffer(src: source.baseAddress, size: source.count, pos: 0)
            while true {
                let (remaining, produced) = chunk.withUnsafeMutableBytes { destination in
                    var out = ZSTD_outBuffer(dst: destination.baseAddress, size: destination.count, pos: 0)
                    let result = ZSTD_decompressStream(dctx, &out, &input)
                    return (result, out.pos)
                }
                try zstdCheck(remaining, "ZSTD_decompressStream", decoding: true)
                guard produced <= cap - output.count else { throw ZstdError.tooLarge(limit: cap) }
                output.append(contentsOf: chunk[0..<produced])
                if remaining == 0 {
                    // Frame complete: anything left over is not ours to ignore.
                    guard input.pos == input.size else { throw ZstdError.trailingData(count: input.size - input.pos) }
                    return
                }
                // All input used, output not full, frame not finished: the decoder wants bytes we do not have.
                if input.pos == input.size && produced < chunkSize {
                    throw ZstdError.truncated(consumed: input.pos)
                }
            }
        }
        return output
    }
}
