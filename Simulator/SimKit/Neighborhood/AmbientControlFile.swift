internal import FoundationEssentials
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file `v2g-sim run --neighborhood --control-file` watches, so that a test can heat a transformer when it
/// chooses: `{"ambient": {"tx-ash": {"rise_k": 15}, "tx-oak": {"ambient_c": 35}}}`. Each version replaces the
/// last: a transformer it does not name (or a file that is absent) has no adjustment. Write it atomically (a
/// rename); a version that cannot be used is reported and the adjustments stay as they were.
public struct AmbientControlFile: Sendable {
    public let path: String
    private let transformerIDs: Set<String>
    private var polled = false
    private var stamp: Stamp?

    private struct Stamp: Hashable {
        var inode: UInt64, size: Int64, seconds: Int, nanoseconds: Int
    }

    public init(path: String, neighborhood: Neighborhood) {
        self.path = path
        transformerIDs = Set(neighborhood.transformers.map(\.id))
    }

    /// The adjustments by transformer id when the file changed since the last poll (the first poll always reads),
    /// nil when it did not; a version that cannot be used gives its error.
    public mutating func poll() -> Result<[String: AmbientAdjustment], NeighborhoodError>? {
        var status = stat()
        let now = stat(path, &status) == 0
            ? Stamp(inode: UInt64(status.st_ino), size: Int64(status.st_size), seconds: status.st_mtim.tv_sec, nanoseconds: status.st_mtim.tv_nsec)
            : nil
        guard !polled || now != stamp else { return nil }
        polled = true
        stamp = now
        guard now != nil else { return .success([:]) }
        let bytes: [UInt8]
        do { bytes = try Neighborhood.readFile(path) } catch { return .failure(.unreadable(path, "\(error)", via: nil)) }
        do { return .success(try Self.parse(bytes, path: path, transformerIDs: transformerIDs)) } catch { return .failure(error) }
    }

    /// The adjustments a control file's bytes set, every id and value checked.
    public static func parse(_ bytes: [UInt8], path: String, transformerIDs: Set<String>) throws(NeighborhoodError) -> [String: AmbientAdjustment] {
        let file: ControlFile
        do {
            file = try JSONDecoder().decode(ControlFile.self, from: Data(bytes))
        } catch {
            throw .controlInvalid(path, ScenarioError.from(any: error))
        }
        for id in file.ambient.keys where !transformerIDs.contains(id) {
            throw .controlInvalid(path, .inconsistent("ambient.\(id)", "no transformer has id \"\(id)\""))
        }
        return file.ambient.mapValues(\.adjustment)
    }

    private struct ControlFile: Decodable {
        var ambient: [String: Entry]
        enum CodingKeys: String, CodingKey, CaseIterable { case ambient }
        init(from decoder: any Decoder) throws {
            try decoder.refuseUnknownKeys(CodingKeys.self)
            ambient = try decoder.container(keyedBy: CodingKeys.self).decodeIfPresent([String: Entry].self, forKey: .ambient) ?? [:]
        }
    }

    private struct Entry: Decodable {
        var adjustment: AmbientAdjustment
        enum CodingKeys: String, CodingKey, CaseIterable { case riseK = "rise_k", heldC = "ambient_c" }
        init(from decoder: any Decoder) throws {
            try decoder.refuseUnknownKeys(CodingKeys.self)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let rise = try c.optionalNumber(.riseK, in: AmbientAdjustment.riseRangeK, unit: "K")
            let held = try c.optionalNumber(.heldC, in: AmbientAdjustment.heldRangeC, unit: "°C")
            switch (rise, held) {
            case (let rise?, nil): adjustment = .rise(kelvin: rise)
            case (nil, let held?): adjustment = .held(celsius: held)
            default: throw ScenarioError.inconsistent(jsonPath(c.codingPath), "give exactly one of rise_k and ambient_c")
            }
        }
    }
}
