@testable import GridCore
import Testing

/// The policy's optional `telemetry` section (docs/policy.md).
@Suite("Policy: telemetry section")
struct PolicyTelemetryTests {
    @Test("absent by default and when the key is missing; an empty section sets nothing")
    func absent() throws {
        #expect(ControlPolicy().telemetry == nil)
        #expect(try decodeJSON(ControlPolicy.self, #"{"version": 3}"#).telemetry == nil)
        let empty = try decodeJSON(ControlPolicy.self, #"{"telemetry": {}}"#)
        #expect(empty.telemetry == TelemetryPolicy() && empty.telemetry?.queueMaxRows == nil)
        try empty.validate()
    }

    @Test("queue_max_rows decodes, validates and round-trips", arguments: [60, 3_600, 86_400, 10_000_000])
    func queueMaxRows(rows: Int) throws {
        let policy = try decodeJSON(ControlPolicy.self, #"{"version": 4, "telemetry": {"queue_max_rows": \#(rows)}}"#)
        #expect(policy.telemetry?.queueMaxRows == rows)
        try policy.validate()
        #expect(try decodeJSON(ControlPolicy.self, try encodeJSON(policy)) == policy)
    }

    @Test("out of range is refused naming the key", arguments: [0, 59, 10_000_001, -5])
    func outOfRange(rows: Int) throws {
        let policy = try decodeJSON(ControlPolicy.self, #"{"telemetry": {"queue_max_rows": \#(rows)}}"#)
        let error = try #require(throws: PolicyError.self) { try policy.validate() }
        #expect(error.field == "telemetry.queue_max_rows")
        #expect(error.message.contains("60…10000000"))
    }

    @Test("unknown keys and non-integers are refused at decoding")
    func refused() {
        #expect(throws: (any Error).self) { try decodeJSON(ControlPolicy.self, #"{"telemetry": {"queue_rows": 100}}"#) }
        #expect(throws: (any Error).self) { try decodeJSON(ControlPolicy.self, #"{"telemetry": {"queue_max_rows": 100.5}}"#) }
    }

    @Test("a policy without the section encodes without it (bundles written before it are unchanged)")
    func encodesWithoutSection() throws {
        #expect(!(try encodeJSON(ControlPolicy())).contains("telemetry"))
        #expect(try encodeJSON(ControlPolicy(telemetry: TelemetryPolicy(queueMaxRows: 600))).contains(#""queue_max_rows":600"#))
    }
}
