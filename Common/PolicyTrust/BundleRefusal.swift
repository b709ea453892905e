/// Why a signed document was refused. The codes are a stable contract: the agent logs and reports them, the
/// aggregator stores them per agent, and `v2g-adm policy verify` prints them. They are listed in the order the
/// checks run; the first failing check wins.
public struct RefusalCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String

    private init(_ rawValue: String) {
        self.rawValue = rawValue
    }

    /// Only the codes below; nil for any other text (a report from a newer peer, a typo).
    public init?(rawValue: String) {
        guard let known = Self.allCodes.first(where: { $0.rawValue == rawValue }) else { return nil }
        self = known
    }

    /// The raw bytes are over the size cap (checked before any parsing).
    public static let oversize = RefusalCode("OVERSIZE")
    /// Not a DSSE envelope, truncated, not strict JSON, non-canonical base64, a missing keyid, or a payload that
    /// fails its schema.
    public static let malformed = RefusalCode("MALFORMED")
    /// The envelope's payloadType is not the one asked for.
    public static let wrongPayloadType = RefusalCode("WRONG_PAYLOAD_TYPE")
    /// No signatures at all.
    public static let unsigned = RefusalCode("UNSIGNED")
    /// One key counted twice: the same keyid twice, or two ids for one public key.
    public static let duplicateKey = RefusalCode("DUPLICATE_KEY")
    /// No signature is by a key of the role that must sign.
    public static let unknownKey = RefusalCode("UNKNOWN_KEY")
    /// A signature by a role key does not verify (for one, a payload changed after signing).
    public static let badSignature = RefusalCode("BAD_SIGNATURE")
    /// Fewer valid signatures by distinct role keys than the threshold.
    public static let thresholdNotMet = RefusalCode("THRESHOLD_NOT_MET")
    /// A version lower than or equal to the installed one (for a root: anything but the next version).
    public static let rollback = RefusalCode("ROLLBACK")
    /// Past its `expires`, or the trusted root is.
    public static let expired = RefusalCode("EXPIRED")
    /// No target selector names this agent.
    public static let wrongTarget = RefusalCode("WRONG_TARGET")
    /// Validly signed, but a value breaks its allowed range; the reason names the field, the value and the range.
    public static let outOfRange = RefusalCode("OUT_OF_RANGE")

    /// Every code, in the order the checks run.
    public static let allCodes: [RefusalCode] = [
        .oversize, .malformed, .wrongPayloadType, .unsigned, .duplicateKey, .unknownKey, .badSignature,
        .thresholdNotMet, .rollback, .expired, .wrongTarget, .outOfRange,
    ]

    public var description: String { rawValue }
}

/// A refused bundle, root or envelope: the stable code and a reason for a human (field, value, range, key).
/// `description` is "CODE: reason", as `v2g-adm policy verify` prints it after "REFUSED ".
public struct BundleRefusal: Error, Hashable, Sendable, CustomStringConvertible {
    public let code: RefusalCode
    public let reason: String

    public init(_ code: RefusalCode, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    /// The code alone: short and low-cardinality, safe as a metric label.
    public var label: String { code.rawValue }

    public var description: String { "\(code.rawValue): \(reason)" }
}
