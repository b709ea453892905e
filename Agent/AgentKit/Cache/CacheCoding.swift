import FoundationEssentials
import GridCore

/// JSON for stored records. Non-finite numbers are spelled out so a NaN in a filter state cannot make
/// a save fail; JSON doubles round-trip exactly (shortest representation), so a restart resumes with
/// the very same hot-spot estimate.
enum CacheCoding {
    static let nonFinite = (positive: "inf", negative: "-inf", nan: "nan")

    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: nonFinite.positive, negativeInfinity: nonFinite.negative, nan: nonFinite.nan)
        return encoder
    }

    static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: nonFinite.positive, negativeInfinity: nonFinite.negative, nan: nonFinite.nan)
        return decoder
    }

    static func encode<T: Encodable>(_ value: T, with encoder: JSONEncoder, what: String) throws(CacheError) -> [UInt8] {
        do {
            return [UInt8](try encoder.encode(value))
        } catch {
            throw .encoding("cannot encode the \(what): \(error)")
        }
    }

    static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8], with decoder: JSONDecoder, what: String) throws(CacheError) -> T {
        do {
            return try decoder.decode(T.self, from: Data(bytes))
        } catch let error as DecodingError {
            throw .corrupt("the stored \(what) cannot be decoded: \(ConfigFile.describe(error))")
        } catch {
            throw .corrupt("the stored \(what) cannot be decoded: \(error)")
        }
    }
}
