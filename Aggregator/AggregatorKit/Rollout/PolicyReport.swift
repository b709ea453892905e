import GridCore
public import StrictJSON

/// What an agent says about a bundle (`POST /v1/agents/{id}/policy-report`):
/// `{"version": V, "result": "applied"|"rejected"|"reverted", "code": "…", "reason": "…",
///   "health": {"trips": n, "safe_state_s": x, "alarms": ["…"]}, "at": "RFC 3339"}`.
/// `version` and `result` are required, `code` too when rejected; the rest may be left out (an empty `code` or
/// `reason` is none). Read strictly.
public struct PolicyReport: Sendable, Hashable {
    public enum Result: String, Sendable, Hashable, CaseIterable {
        case applied, rejected, reverted
    }

    public var version: Int
    public var result: Result
    public var code: String?
    public var reason: String?
    public var health: AgentHealth
    /// The agent's clock when it wrote the report (RFC 3339, checked), for display.
    public var at: String?

    /// Bodies over this are refused before parsing.
    public static let maxBytes = 16 * 1024
    static let maxReasonBytes = 2_048
    static let maxAlarms = 64

    public init(version: Int, result: Result, code: String? = nil, reason: String? = nil, health: AgentHealth = .init(), at: String? = nil) {
        self.version = version
        self.result = result
        self.code = code
        self.reason = reason
        self.health = health
        self.at = at
    }

    /// Reads a report body; the error names the line, the field and the reason.
    public init(parsing bytes: [UInt8]) throws(StrictJSONError) {
        guard bytes.count <= Self.maxBytes else {
            throw .schema(line: 1, field: "", "the report is \(bytes.count) bytes, over the \(Self.maxBytes)-byte cap")
        }
        let top = try StrictJSON.parse(bytes).object("")
        try top.refuseUnknownKeys(["version", "result", "code", "reason", "health", "at"])
        version = try top.require("version").int("version", in: 1...Int(Int32.max))
        let resultNode = try top.require("result")
        let word = try resultNode.string("result")
        guard let result = Result(rawValue: word) else {
            throw .schema(line: resultNode.line, field: "result", "\"\(word)\" is not applied, rejected or reverted")
        }
        self.result = result
        // The agent writes every key of the report, `code` and `reason` empty for `applied`: empty is "none".
        if let node = top.optional("code"), case let code = try node.string("code"), !code.isEmpty {
            guard Self.isCode(code) else {
                throw .schema(line: node.line, field: "code", "\"\(code)\" is not a code (1–64 of A–Z, 0–9, _, starting with a letter)")
            }
            self.code = code
        }
        if result == .rejected, code == nil {
            throw .schema(line: top.node.line, field: "code", "a rejected bundle is reported with its refusal code")
        }
        if let node = top.optional("reason"), case let text = try node.string("reason"), !text.isEmpty {
            guard text.utf8.count <= Self.maxReasonBytes else {
                throw .schema(line: node.line, field: "reason", "\(text.utf8.count) bytes, over the \(Self.maxReasonBytes)-byte cap")
            }
            reason = text
        }
        health = try top.optional("health").map { node throws(StrictJSONError) in try Self.health(node.object("health")) } ?? .init()
        if let node = top.optional("at") {
            let text = try node.string("at")
            guard Timestamp(rfc3339: text) != nil else {
                throw .schema(line: node.line, field: "at", "\"\(text)\" is not an RFC 3339 time (e.g. 2027-01-31T00:00:00Z)")
            }
            at = text
        }
    }

    private static func health(_ object: JSONObject) throws(StrictJSONError) -> AgentHealth {
        try object.refuseUnknownKeys(["trips", "safe_state_s", "alarms"])
        var health = AgentHealth()
        if let node = object.optional("trips") { health.trips = try node.int(object.path("trips"), in: 0...1_000_000) }
        if let node = object.optional("safe_state_s") {
            let seconds = try node.double(object.path("safe_state_s"))
            guard seconds >= 0 else { throw .schema(line: node.line, field: object.path("safe_state_s"), "\(seconds) is negative") }
            health.safeStateS = seconds
        }
        if let node = object.optional("alarms") {
            // Each is checked; the first `maxAlarms` distinct ones are kept (one is enough to make the agent unhealthy,
            // and an agent with many chargers may have more in force: its report must not be refused for that).
            for (index, item) in try node.array(object.path("alarms")).enumerated() {
                let field = "\(object.path("alarms"))[\(index)]"
                let alarm = try item.string(field)
                guard isAlarm(alarm) else {
                    throw .schema(line: item.line, field: field, "\"\(alarm)\" is not an alarm code (CODE, or CODE:DEVICE for one device's alarm)")
                }
                if health.alarms.count < maxAlarms, !health.alarms.contains(alarm) { health.alarms.append(alarm) }
            }
        }
        return health
    }

    /// An alarm as the agent keys it: a code, or a code and the device it is about (`SETPOINT_NOT_FOLLOWED:evse-3`: one
    /// per charger; the agent's device and charger ids are free text, so any 1–128 bytes without control characters).
    static func isAlarm(_ text: String) -> Bool {
        let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        guard isCode(String(parts[0])) else { return false }
        guard parts.count == 2 else { return true }
        let device = parts[1].utf8
        return (1...128).contains(device.count) && device.allSatisfy { $0 >= 0x20 && $0 != 0x7F }
    }

    /// Refusal and alarm codes: `^[A-Z][A-Z0-9_]{0,63}$`.
    static func isCode(_ text: String) -> Bool {
        guard let first = text.utf8.first, (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(first), text.utf8.count <= 64 else { return false }
        return text.utf8.allSatisfy { byte in
            (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || byte == UInt8(ascii: "_")
        }
    }
}
