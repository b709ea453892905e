import PolicyTrust
import Testing

@Suite struct CanonicalBase64Tests {
    // RFC 4648 §10.
    static let vectors: [(String, String)] = [
        ("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy"),
    ]

    @Test func rfc4648Vectors() throws {
        for (plain, encoded) in Self.vectors {
            #expect(CanonicalBase64.encode(Array(plain.utf8)) == encoded)
            #expect(try CanonicalBase64.decode(encoded) == Array(plain.utf8))
        }
    }

    @Test func everyByteStringRoundTrips() throws {
        var generator = SystemRandomNumberGenerator()
        for length in 0..<70 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            #expect(try CanonicalBase64.decode(CanonicalBase64.encode(bytes)) == bytes)
        }
        let all = (0...255).map { UInt8($0) }
        #expect(try CanonicalBase64.decode(CanonicalBase64.encode(all)) == all)
    }

    @Test(arguments: [
        ("Zg=", "multiple of 4"),
        ("Zg", "multiple of 4"),
        ("Zh==", "non-zero bits"),
        ("Zm9=", "non-zero bits"),
        ("Zm 9", "whitespace"),
        ("Zm9v\n", "multiple of 4"),
        ("Zm9v\nZm9", "whitespace"),
        ("-_8=", "URL-safe"),
        ("Zg==Zg==", "before the end"),
        ("Z===", "before the end"),
        ("=Zg=", "before the end"),
        ("Zm9\u{00E9}", "multiple of 4"),
        ("Zm*v", "'*'"),
    ])
    func nonCanonicalTextIsRefused(text: String, mentions: String) {
        let failure = #expect(throws: CanonicalBase64.Failure.self) { try CanonicalBase64.decode(text) }
        #expect(failure?.reason.contains(mentions) == true, "\(text): \(String(describing: failure))")
    }
}
