public import FoundationEssentials
import Telemetry

/// The one JSON encoder of the API: snake_case keys, sorted (stable bytes for tests and caches).
public enum ResponseJSON {
    public static func encode(_ value: some Encodable) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // The response types hold only integers, exact decimals, strings and booleans: encoding cannot fail.
        return (try? Array(encoder.encode(value))) ?? Array(#"{"error":"response.encoding"}"#.utf8)
    }
}

extension Quantum {
    /// The exact value of `quanta` (Decimal keeps up to 38 digits; quanta stay within ±2^53).
    func decimal(ofQuanta quanta: Int64) -> Decimal {
        Decimal(string: text(ofQuanta: quanta)) ?? Decimal(quanta)
    }
}
