public import GridCore
import FoundationEssentials

/// Reads transformer thermal parameters from JSON with the IEC 60076-7 keys of `ThermalParameters`.
public enum ThermalTransformerFile {
    /// Decodes and validates; missing keys take the ONAN defaults, unknown keys are rejected by name.
    public static func parameters(json: [UInt8], fileName: String) throws(ThermalInputError) -> ThermalParameters {
        let data = Data(json)
        let keys: [String]
        do {
            keys = try JSONDecoder().decode(KeyList.self, from: data).keys
        } catch {
            throw .badJSON(fileName, reason: Self.reason(error))
        }
        let known = Set(ThermalParameters.CodingKeys.allCases.map(\.rawValue))
        if let unknown = keys.sorted().first(where: { !known.contains($0) }) {
            throw .unknownKey(fileName, key: unknown)
        }
        let parameters: ThermalParameters
        do {
            parameters = try JSONDecoder().decode(ThermalParameters.self, from: data)
        } catch {
            throw .badJSON(fileName, reason: Self.reason(error))
        }
        do {
            try parameters.validate()
        } catch {
            throw .badParameter(fileName, reason: error.message)
        }
        return parameters
    }

    /// The key that failed, in words, from a decoding error.
    private static func reason(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "invalid JSON" }
        switch error {
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            guard let key = context.codingPath.last?.stringValue else { return "the top level must be a JSON object" }
            return "\(key) must be a number"
        case .dataCorrupted(let context):
            if let key = context.codingPath.last?.stringValue { return "\(key) is not valid" }
            return "invalid JSON"
        case .keyNotFound(let key, _):
            return "\(key.stringValue) is missing"
        @unknown default:
            return "invalid JSON"
        }
    }

    /// The keys of a JSON object, whatever their values.
    private struct KeyList: Decodable {
        struct AnyKey: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        let keys: [String]

        init(from decoder: any Decoder) throws {
            keys = try decoder.container(keyedBy: AnyKey.self).allKeys.map(\.stringValue)
        }
    }
}
