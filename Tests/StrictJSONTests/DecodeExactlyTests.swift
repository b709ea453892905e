import StrictJSON
import Testing

@Suite struct DecodeExactlyTests {
    struct Inner: Codable, Equatable {
        var a: Double = 1
        var b: [Int] = [1, 2]

        enum CodingKeys: String, CodingKey { case a, b }

        init() {}

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            a = try c.decodeIfPresent(Double.self, forKey: .a) ?? 1
            b = try c.decodeIfPresent([Int].self, forKey: .b) ?? [1, 2]
        }
    }

    struct Outer: Codable, Equatable {
        var inner = Inner()
        var range: ClosedRange<Double> = 0...1
        var name: String?
    }

    static func decode(_ text: String) throws(StrictJSONError) -> Outer {
        try StrictJSON.decodeExactly(Outer.self, from: Array(text.utf8))
    }

    @Test func knownKeysDecode() throws {
        let value = try Self.decode(#"{"inner": {"a": 2}, "range": [0.5, 2], "name": "x"}"#)
        #expect(value.inner.a == 2 && value.inner.b == [1, 2] && value.range == 0.5...2 && value.name == "x")
    }

    @Test func anUnknownKeyAtAnyDepthIsRefusedWithItsLine() {
        let text = "{\n  \"inner\": {\n    \"a\": 2,\n    \"c\": 3\n  },\n  \"range\": [0, 1]\n}"
        #expect(throws: StrictJSONError.schema(line: 4, field: "inner.c", "unknown key \"c\"; allowed here: a, b")) {
            try Self.decode(text)
        }
    }

    @Test func extraArrayElementsAreRefused() {
        let error = #expect(throws: StrictJSONError.self) { try Self.decode(#"{"inner": {}, "range": [0, 1, 2]}"#) }
        #expect(error?.field == "range")
        #expect(error?.reason.contains("expected 2 elements, found 3") == true)
    }

    @Test func nullIsRefused() {
        let error = #expect(throws: StrictJSONError.self) { try Self.decode(#"{"inner": {}, "range": [0, 1], "name": null}"#) }
        #expect(error?.field == "name")
        #expect(error?.reason.contains("null is not allowed") == true)
    }

    @Test func typeErrorsNameTheFieldAndLine() {
        let text = "{\"inner\": {\n\"a\": \"two\"}, \"range\": [0, 1]}"
        #expect(throws: StrictJSONError.schema(line: 2, field: "inner.a", "expected a number, found a string")) {
            try Self.decode(text)
        }
    }
}
