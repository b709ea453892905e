internal import CZstd

/// One-shot zstd frames (RFC 8878) with a hard cap on decompressed size.
///
/// Each call makes its own context and frees it on return. That keeps `Zstd` stateless and trivially
/// Sendable; a shared context would need a lock, and creating one costs far less than a telemetry batch.
public enum Zstd {
    /// Decoder window limit, 2^23 = 8 MiB: enough for levels 1–19 (zstd's level table caps their
    /// windowLog at 23), and it bounds decoder memory whatever a frame header asks for.
    public static let windowLogMax: Int32 = 23

    /// Compresses `input` into one frame at `level` (1…19 usual, clamped by zstd), with a content checksum.
    public static func compress(_ input: [UInt8], level: Int32 = 3) throws -> [UInt8] {
        let context = try ZstdCompressionContext()
        try context.setParameter(ZSTD_c_compressionLevel, level)
        try context.setParameter(ZSTD_c_checksumFlag, 1)
        return try context.compress(input)
    }

    /// Compresses `input` into one frame with `dictionary` (at the dictionary's compression level).
    public static func compress(_ input: [UInt8], dictionary: ZstdDictionary) throws -> [UInt8] {
        let context = try ZstdCompressionContext()
        try context.reference(dictionary)
        try context.setParameter(ZSTD_c_checksumFlag, 1)
        return try context.compress(input)
    }

    /// Decompresses exactly one frame, streaming, never producing more than `maxDecompressedBytes`.
    ///
    /// Throws `ZstdError` with kind `.empty`, `.truncated`, `.corrupt`, `.tooLarge`, `.trailingData`,
    /// or `.dictionaryMismatch` (the frame was made with a dictionary that is not `dictionary`).
    public static func decompress(
        _ frame: [UInt8], maxDecompressedBytes: Int, dictionary: ZstdDictionary? = nil
    ) throws -> [UInt8] {
        precondition(maxDecompressedBytes >= 0, "maxDecompressedBytes must not be negative")
        let context = try ZstdDecompressionContext()
        try context.setWindowLogMax(windowLogMax)
        if let dictionary { try context.reference(dictionary) }
        do {
            return try context.decompress(frame, cap: maxDecompressedBytes)
        } catch let error as ZstdError where error.kind == .dictionaryMismatch {
            // Say which dictionary the frame wants; zstd's own text ("Dictionary mismatch") does not.
            let wanted = frame.withUnsafeBytes { ZSTD_getDictID_fromFrame($0.baseAddress, $0.count) }
            let given = dictionary.map { "dictionary id \($0.id)" } ?? "no dictionary"
            throw ZstdError.dictionaryMismatch("frame needs dictionary id \(wanted), got \(given)")
        }
    }

    /// Dictionary id recorded in a frame header; 0 when the frame uses none or the header is unreadable.
    public static func dictionaryID(ofFrame frame: [UInt8]) -> UInt32 {
        frame.withUnsafeBytes { UInt32(ZSTD_getDictID_fromFrame($0.baseAddress, $0.count)) }
    }
}
