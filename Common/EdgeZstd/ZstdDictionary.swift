internal import CZstd

/// A zstd dictionary, digested once for compression (`ZSTD_CDict`) and decompression (`ZSTD_DDict`).
// @unchecked Sendable: both digests are immutable after init, and zstd documents CDict/DDict as
// read-only, shareable by any number of contexts on any threads at once.
public final class ZstdDictionary: @unchecked Sendable {
    private let compressionDictionary: OpaquePointer
    private let decompressionDictionary: OpaquePointer
    /// The dictionary bytes (ship these to the other side).
    public let bytes: [UInt8]
    /// The id stored in the dictionary header and in each frame made with it; 0 for a raw-content dictionary.
    public let id: UInt32
    /// The level frames are compressed at with this dictionary.
    public let compressionLevel: Int32

    /// Digests `bytes` (a trained dictionary, or raw content) for compression at `compressionLevel`.
    public init(bytes: [UInt8], compressionLevel: Int32 = 3) throws {
        guard !bytes.isEmpty else { throw ZstdError.dictionary("dictionary bytes are empty") }
        let digests = bytes.withUnsafeBytes { raw in
            (ZSTD_createCDict(raw.baseAddress, raw.count, compressionLevel),
             ZSTD_createDDict(raw.baseAddress, raw.count))
        }
        guard let cdict = digests.0, let ddict = digests.1 else {
            ZSTD_freeCDict(digests.0)
            ZSTD_freeDDict(digests.1)
            throw ZstdError.dictionary("zstd could not load the \(bytes.count)-byte dictionary")
        }
        compressionDictionary = cdict
        decompressionDictionary = ddict
        self.bytes = bytes
        self.compressionLevel = compressionLevel
        id = UInt32(ZSTD_getDictID_fromDDict(ddict))
    }

    deinit {
        ZSTD_freeCDict(compressionDictionary)
        ZSTD_freeDDict(decompressionDictionary)
    }

    /// Trains a dictionary of at most `capacity` bytes from `samples` (ZDICT_trainFromBuffer).
    ///
    /// zstd advises about 100× `capacity` bytes of samples, and a capacity near 100 KiB; too few samples fail.
    public static func train(samples: [[UInt8]], capacity: Int, compressionLevel: Int32 = 3) throws -> ZstdDictionary {
        guard !samples.isEmpty, samples.count <= Int(UInt32.max) else {
            throw ZstdError.dictionary("training needs at least one sample, got \(samples.count)")
        }
        guard capacity >= 256 else { throw ZstdError.dictionary("capacity \(capacity) is below the 256-byte minimum") }
        let joined = samples.flatMap { $0 }
        let sizes = samples.map(\.count)
        let trained = try [UInt8](unsafeUninitializedCapacity: capacity) { output, count in
            count = 0
            let result = joined.withUnsafeBytes { source in
                ZDICT_trainFromBuffer(output.baseAddress, output.count, source.baseAddress, sizes, UInt32(samples.count))
            }
            guard ZDICT_isError(result) == 0 else {
                throw ZstdError.dictionary(
                    "ZDICT_trainFromBuffer on \(samples.count) samples: \(String(cString: ZDICT_getErrorName(result)))")
            }
            count = result
        }
        return try ZstdDictionary(bytes: trained, compressionLevel: compressionLevel)
    }

    func withCompressionDictionary<T>(_ body: (OpaquePointer) throws -> T) rethrows -> T {
        try body(compressionDictionary)
    }

    func withDecompressionDictionary<T>(_ body: (OpaquePointer) throws -> T) rethrows -> T {
        try body(decompressionDictionary)
    }
}
