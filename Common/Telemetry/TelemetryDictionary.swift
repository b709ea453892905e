internal import EdgeZstd

/// A trained zstd dictionary for telemetry bodies: both ends must hold the same one (its id travels in each frame).
public struct TelemetryDictionary: Sendable {
    let zstd: ZstdDictionary

    /// The dictionary bytes, to store in a file and ship to the aggregator.
    public var bytes: [UInt8] { zstd.bytes }
    /// The id each frame made with it carries; never 0 for a trained dictionary.
    public var id: UInt32 { zstd.id }

    /// Loads dictionary bytes (as written by `train`); frames are compressed at `compressionLevel`.
    public init(bytes: [UInt8], compressionLevel: Int32 = 19) throws(TelemetryFrameError) {
        do {
            zstd = try ZstdDictionary(bytes: bytes, compressionLevel: compressionLevel)
        } catch {
            throw .dictionaryInvalid("\(bytes.count) dictionary bytes are unusable: \(error)")
        }
        guard zstd.id != 0 else {
            throw .dictionaryInvalid("dictionary has id 0 (raw content): frames could not name it; train one instead")
        }
    }

    /// Trains a dictionary of at most `capacity` bytes on the bodies of `batches` (as `encoder` would write them).
    public static func train(
        batches: [TelemetryBatch], capacity: Int = 16_384, compressionLevel: Int32 = 19,
        encoder: TelemetryEncoder = TelemetryEncoder()
    ) throws(TelemetryFrameError) -> TelemetryDictionary {
        var bodies: [[UInt8]] = []
        for batch in batches { bodies.append(try encoder.body(of: batch)) }
        let trained: ZstdDictionary
        do {
            trained = try ZstdDictionary.train(samples: bodies, capacity: capacity, compressionLevel: compressionLevel)
        } catch {
            throw .dictionaryInvalid("training on \(bodies.count) batches failed: \(error)")
        }
        return try TelemetryDictionary(bytes: trained.bytes, compressionLevel: compressionLevel)
    }
}
