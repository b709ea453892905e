import EdgeZstd
import Testing

@Suite("Zstd dictionaries")
struct ZstdDictionaryTests {
    static func samples(seed: UInt64, count: Int = 2_000) -> [[UInt8]] {
        var data = SampleData(seed: seed)
        return (0..<count).map { data.meterRecord(sequence: $0) }
    }

    @Test("a trained dictionary roundtrips and shrinks small records")
    func trainAndRoundtrip() throws {
        let dictionary = try ZstdDictionary.train(samples: Self.samples(seed: 1), capacity: 4_096)
        #expect(dictionary.id != 0)
        #expect(dictionary.bytes.count <= 4_096)
        var data = SampleData(seed: 99)
        let record = data.meterRecord(sequence: 123_456)
        let withDictionary = try Zstd.compress(record, dictionary: dictionary)
        #expect(Zstd.dictionaryID(ofFrame: withDictionary) == dictionary.id)
        #expect(try Zstd.decompress(withDictionary, maxDecompressedBytes: 1_000, dictionary: dictionary) == record)
        #expect(withDictionary.count < (try Zstd.compress(record)).count)
    }

    @Test("dictionary bytes reload into an equal dictionary")
    func reload() throws {
        let trained = try ZstdDictionary.train(samples: Self.samples(seed: 2), capacity: 2_048)
        let reloaded = try ZstdDictionary(bytes: trained.bytes)
        #expect(reloaded.id == trained.id)
        let record = Array("{\"agent\":\"tx-017\",\"phase\":\"L2\"}".utf8)
        let frame = try Zstd.compress(record, dictionary: trained)
        #expect(try Zstd.decompress(frame, maxDecompressedBytes: 1_000, dictionary: reloaded) == record)
    }

    @Test("a dictionary frame without its dictionary fails naming the id")
    func missingDictionary() throws {
        let dictionary = try ZstdDictionary.train(samples: Self.samples(seed: 3), capacity: 4_096)
        let frame = try Zstd.compress(Self.samples(seed: 4, count: 1)[0], dictionary: dictionary)
        let error = #expect(throws: ZstdError.self) { try Zstd.decompress(frame, maxDecompressedBytes: 1_000) }
        #expect(error?.kind == .dictionaryMismatch)
        #expect(error?.reason.contains("\(dictionary.id)") == true)
    }

    @Test("a dictionary frame with another dictionary fails")
    func wrongDictionary() throws {
        let first = try ZstdDictionary.train(samples: Self.samples(seed: 5), capacity: 4_096)
        let second = try ZstdDictionary.train(samples: Self.samples(seed: 6), capacity: 4_096)
        try #require(first.id != second.id)
        let frame = try Zstd.compress(Self.samples(seed: 7, count: 1)[0], dictionary: first)
        let error = #expect(throws: ZstdError.self) {
            try Zstd.decompress(frame, maxDecompressedBytes: 1_000, dictionary: second)
        }
        #expect(error?.kind == .dictionaryMismatch)
    }

    @Test("training on too little data fails with a dictionary error")
    func tooFewSamples() {
        let error = #expect(throws: ZstdError.self) {
            try ZstdDictionary.train(samples: Self.samples(seed: 8, count: 3), capacity: 4_096)
        }
        #expect(error?.kind == .dictionary)
    }

    @Test("empty dictionary bytes are refused")
    func emptyBytes() {
        let error = #expect(throws: ZstdError.self) { try ZstdDictionary(bytes: []) }
        #expect(error?.kind == .dictionary)
    }
}
