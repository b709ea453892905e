public import GridCore
public import MeshPlanner
import FoundationEssentials
import StrictJSON

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `v2g-adm dispatch plan`: one planning pass on a snapshot file, through `MeshPlanner.plan`.
public enum DispatchPlan {
    /// Snapshots of thousands of transformers are a few MB; refuse what cannot be one.
    public static let maxFileBytes = 64 << 20

    /// Reads and checks a snapshot: strict JSON, every key known, every value in range, errors with line and field.
    public static func snapshot(_ bytes: [UInt8], name: String) throws(DispatchInputError) -> NeighborhoodSnapshot {
        try decode(NeighborhoodSnapshot.self, bytes, name: name)
    }

    /// Reads and checks a goal file (`{"goals": [...]}`).
    public static func goals(_ bytes: [UInt8], name: String) throws(DispatchInputError) -> [NeighborhoodGoal] {
        try decode(GoalSet.self, bytes, name: name).goals
    }

    static func decode<T: Codable>(_ type: T.Type, _ bytes: [UInt8], name: String) throws(DispatchInputError) -> T {
        do {
            return try StrictJSON.decodeExactly(type, from: bytes)
        } catch {
            throw .invalid(name, error.description)
        }
    }

    /// The file's bytes, or an error in the operating system's words.
    public static func read(_ path: String) throws(DispatchInputError) -> [UInt8] {
        let data: Data
        do {
            data = try Data(contentsOf: URL(filePath: path))
        } catch {
            if let cocoa = error as? CocoaError, let posix = cocoa.userInfo["NSUnderlyingError"] as? POSIXError {
                throw .unreadable(path, String(cString: strerror(posix.code.rawValue)))
            }
            throw .unreadable(path, "\(error)")
        }
        guard data.count <= maxFileBytes else { throw .unreadable(path, "larger than \(maxFileBytes) bytes") }
        return [UInt8](data)
    }

    /// The plan as one JSON object (keys sorted, so that runs compare byte for byte).
    public static func json(_ plan: NeighborhoodPlan) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(plan) else { return "{}" }
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
