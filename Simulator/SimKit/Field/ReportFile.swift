import FoundationEssentials

/// A run's report as a file: pretty, key-sorted JSON, written atomically (a reader never sees half a report).
public protocol ReportFile: Encodable {}

extension ReportFile {
    /// Pretty, key-sorted JSON.
    public func json() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return [UInt8](try encoder.encode(self))
    }

    /// Writes `json()` to `path` atomically.
    public func write(to path: String) throws(SimFieldError) {
        do {
            try Data(json()).write(to: URL(filePath: path), options: .atomic)
        } catch {
            throw .fileFailed(path, error)
        }
    }
}
