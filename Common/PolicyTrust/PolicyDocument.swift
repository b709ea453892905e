public import GridCore
public import StrictJSON
import FoundationEssentials

/// The policy JSON (docs/policy.md) read strictly: UTF-8, no duplicate keys, no trailing commas, no null,
/// and no key that the policy does not define, at any depth; each error names the line and the field.
/// Range checks are separate (`ControlPolicy.problems()`), so that a schema error and a range error get
/// different refusal codes (MALFORMED, OUT_OF_RANGE).
public enum PolicyDocument {
    /// Decodes a whole policy file.
    public static func decode(_ bytes: [UInt8]) throws(StrictJSONError) -> ControlPolicy {
        try StrictJSON.decodeExactly(ControlPolicy.self, from: bytes)
    }

    /// Decodes the policy at `node` of an already parsed document (a bundle's `policy`).
    public static func decode(_ bytes: [UInt8], node: JSONNode, field: String) throws(StrictJSONError) -> ControlPolicy {
        try StrictJSON.decodeExactly(ControlPolicy.self, from: bytes, node: node, field: field)
    }

    /// The policy as JSON with every key written out (defaults resolved) and sorted: what a bundle carries,
    /// so that an agent applies exactly what was signed whatever its own defaults are.
    public static func encode(_ policy: ControlPolicy) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(policy))
    }
}
