import StrictJSON
import Testing

@Suite struct StrictJSONTests {
    static func error(_ text: [UInt8]) -> StrictJSONError? {
        do {
            _ = try StrictJSON.parse(text)
            return nil
        } catch {
            return error
        }
    }

    static func error(_ text: String) -> StrictJSONError? { error(Array(text.utf8)) }

    @Test func wellFormedDocumentsParse() throws {
        let node = try StrictJSON.parse(Array(#" {"a": [1, -2.5e3, 0, 0.5, true, false, null, "x\"y\u00e9\ud83d\ude00"], "b": {}} "#.utf8))
        let top = try node.object("")
        let items = try top.require("a").array("a")
        #expect(items.count == 8)
        #expect(try items[1].double("a[1]") == -2500)
        #expect(try items[7].string("a[7]") == "x\"yé😀")
        #expect(try top.require("b").object("b").members.isEmpty)
    }

    @Test(arguments: [
        (#"{"a": 1, "a": 2}"#, 1, 10, "duplicate key \"a\""),
        (#"{"é": 1, "e\u0301": 2}"#, 1, 10, "duplicate key"),
        ("{\"a\": [{\"b\": 1,\n \"b\": 2}]}", 2, 2, "duplicate key \"a[0].b\" (first at line 1, column 9)"),
        (#"{"a": /* x */ 1}"#, 1, 7, "comments are not JSON"),
        ("{\"a\": 1,\n \"b\": 2,\n}", 2, 8, "trailing comma before '}'"),
        ("[1, 2,]", 1, 6, "trailing comma before ']'"),
        (#"{"a": 01}"#, 1, 8, "leading zero"),
        (#"{"a": 1.}"#, 1, 9, "after the decimal point"),
        (#"{"a": .5}"#, 1, 7, "expected a value"),
        (#"{"a": +1}"#, 1, 7, "expected a value"),
        (#"{"a": NaN}"#, 1, 7, "expected a value"),
        (#"{"a": 1} x"#, 1, 10, "unexpected 'x' after the end of the JSON value"),
        (#"{"a": "\x"}"#, 1, 8, "unknown escape"),
        (#"{"a": "\ud800"}"#, 1, 8, "not followed by a low surrogate"),
        (#"{"a": "\udc00"}"#, 1, 8, "lone low surrogate"),
        (#"{"a": "\u12"}"#, 1, 8, "four hex digits"),
        ("{\"a\": \"tab\there\"}", 1, 11, "control character U+0009"),
        (#"{'a': 1}"#, 1, 2, "expected a quoted key"),
        (#"{"a": 1 // comment"#, 1, 9, "expected ',' or '}'"),
        (#"{"a": [1, 2"#, 1, 12, "not closed"),
        (#"{"a": "open"#, 1, 12, "not closed"),
        ("", 1, 1, "empty document"),
        ("  \n ", 2, 2, "empty document"),
        (#"{"a": tru}"#, 1, 7, "expected true"),
    ])
    func refusedWithLineColumnAndReason(text: String, line: Int, column: Int, mentions: String) {
        let found = Self.error(text)
        #expect(found?.isSyntax == true)
        #expect(found?.line == line && found?.column == column, "\(String(describing: found))")
        #expect(found?.reason.contains(mentions) == true, "\(String(describing: found))")
    }

    @Test(arguments: [
        ([0xEF, 0xBB, 0xBF, 0x7B, 0x7D], "byte order mark"),
        ([0x22, 0xC0, 0xAF, 0x22], "invalid UTF-8 byte 0xC0"),
        ([0x22, 0xE0, 0x80, 0xAF, 0x22], "invalid UTF-8 sequence"),
        ([0x22, 0xED, 0xA0, 0x80, 0x22], "invalid UTF-8 sequence"),
        ([0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], "invalid UTF-8 sequence"),
        ([0x22, 0xFF, 0x22], "invalid UTF-8 byte 0xFF"),
        ([0x22, 0xE2, 0x82], "truncated UTF-8"),
        ([0x22, 0x80, 0x22], "invalid UTF-8 byte 0x80"),
    ] as [([UInt8], String)])
    func onlyWellFormedUTF8(bytes: [UInt8], mentions: String) {
        let found = Self.error(bytes)
        #expect(found?.reason.contains(mentions) == true, "\(String(describing: found))")
    }

    @Test func depthIsBounded() {
        let deep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        #expect(Self.error(deep)?.reason.contains("nesting deeper than 64") == true)
        let fine = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        #expect(Self.error(fine) == nil)
    }

    @Test func columnsCountCharactersNotBytes() {
        let found = Self.error(#"{"é€😀": x}"#)
        #expect(found?.column == 9, "\(String(describing: found))")
    }

    @Test func typedReadsNameTheFieldAndLine() throws {
        let text = "{\n  \"version\": 1.5,\n  \"n\": 1e400,\n  \"s\": 3\n}"
        let top = try StrictJSON.parse(Array(text.utf8)).object("")
        #expect(throws: StrictJSONError.schema(line: 2, field: "version", "expected an integer (no fraction, exponent or overflow), found 1.5")) {
            try top.require("version").int("version")
        }
        #expect(throws: StrictJSONError.schema(line: 3, field: "n", "1e400 is too large for a 64-bit float")) {
            try top.require("n").double("n")
        }
        #expect(throws: StrictJSONError.schema(line: 4, field: "s", "expected a string, found a number")) {
            try top.require("s").string("s")
        }
        #expect(throws: StrictJSONError.schema(line: 1, field: "", "required key \"x\" is missing")) { try top.require("x") }
        #expect(throws: StrictJSONError.self) { try top.refuseUnknownKeys(["version", "n"]) }
    }
}
