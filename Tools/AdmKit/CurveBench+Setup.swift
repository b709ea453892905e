public import GridCore
import FoundationEssentials

extension CurveBench {
    /// Builds a bench for `function` from the 1547 defaults, or from a curve JSON file's `contents`, and validates it.
    ///
    /// `category` (Volt-VAR only; default B) picks the Table 8 defaults and the reactive capability a curve file
    /// is checked against. Curve JSON keys are snake_case, e.g. for Volt-VAR: v_ref_pu, v1_pu, q1_pu … v4_pu,
    /// q4_pu, response_time_s, autonomous_v_ref_enabled, v_ref_time_constant_s; for Volt-Watt: v1_pu, v2_pu,
    /// response_time_s; for droop: nominal_hz, db_of_hz, db_uf_hz, k_of, k_uf, response_time_s.
    public static func configured(
        function: CurveFunction, category: PerformanceCategory? = nil,
        curveFile: (name: String, contents: String)? = nil
    ) throws(CurveBenchError) -> CurveBench {
        let fileName = curveFile?.name ?? "defaults"
        do {
            switch function {
            case .voltVar:
                let category = category ?? .b
                let curve = try curveFile.map { try decode(VoltVarCurve.self, $0) } ?? .defaults(for: category)
                try curve.validate(capability: .of(category))
                return CurveBench(setting: .voltVar(curve))
            case .voltWatt:
                let curve = try curveFile.map { try decode(VoltWattCurve.self, $0) } ?? .ieee1547Default
                try curve.validate()
                return CurveBench(setting: .voltWatt(curve))
            case .frequencyDroop:
                let droop = try curveFile.map { try decode(FrequencyDroop.self, $0) } ?? FrequencyDroop()
                try droop.validate()
                return CurveBench(setting: .frequencyDroop(droop))
            }
        } catch let error as CurveError {
            throw .badCurve(fileName, error)
        } catch let error as CurveBenchError {
            throw error
        } catch {
            throw .badCurveFile(fileName, "\(error)")
        }
    }

    /// Decodes curve JSON, turning DecodingError into a sentence that names the key.
    static func decode<T: Decodable>(_ type: T.Type, _ file: (name: String, contents: String)) throws(CurveBenchError) -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(file.contents.utf8))
        } catch let error as DecodingError {
            throw .badCurveFile(file.name, describe(error))
        } catch {
            throw .badCurveFile(file.name, "invalid JSON: \(error)")
        }
    }

    static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            keys.isEmpty ? "top level" : keys.map(\.stringValue).joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, _):
            return "missing key \"\(key.stringValue)\""
        case .typeMismatch(let type, let context), .valueNotFound(let type, let context):
            return "\(path(context.codingPath)): expected \(type)"
        case .dataCorrupted(let context):
            return "invalid JSON at \(path(context.codingPath)): \(context.debugDescription)"
        @unknown default:
            return "invalid JSON: \(error)"
        }
    }

    /// Reads a whole text file (inputs and curve files are small: capped at 64 MiB).
    public static func readText(path: String) throws(CurveBenchError) -> String {
        let data: Data
        do {
            data = try Data(contentsOf: URL(filePath: path))
        } catch {
            throw .unreadable(path, "\(error)")
        }
        guard data.count <= 64 << 20 else { throw .unreadable(path, "larger than 64 MiB") }
        guard let text = String(data: data, encoding: .utf8) else { throw .unreadable(path, "not UTF-8 text") }
        return text
    }
}
