/// Why `v2g-adm keys …` or `v2g-adm policy …` could not do its job (as opposed to a bundle refused by
/// verification, which is a `BundleRefusal`). `message` names the file or option and what is wrong.
public struct TrustToolError: Error, CustomStringConvertible, Sendable {
    private enum Code: String, Sendable {
        case unreadable = "trust_unreadable"
        case unwritable = "trust_unwritable"
        case exists = "trust_exists"
        case badOption = "trust_bad_option"
        case badKey = "trust_bad_key"
        case notEnoughKeys = "trust_not_enough_keys"
        case refused = "trust_refused"
        case invalidPolicy = "trust_invalid_policy"
    }

    private let code: Code
    /// A human sentence: the file or option, and what is wrong.
    public let message: String
    public let sourceFile: String
    public let sourceLine: Int

    private init(_ code: Code, _ message: String, file: String, line: Int) {
        self.code = code
        self.message = message
        self.sourceFile = file
        self.sourceLine = line
    }

    /// Short and low-cardinality: safe as a metric label.
    public var description: String { code.rawValue }

    static func unreadable(_ path: String, _ why: String, file: String = #fileID, line: Int = #line) -> Self {
        Self(.unreadable, "\(path): cannot read: \(why)", file: file, line: line)
    }

    static func unwritable(_ path: String, _ why: String, file: String = #fileID, line: Int = #line) -> Self {
        Self(.unwritable, "\(path): cannot write: \(why)", file: file, line: line)
    }

    static func exists(_ path: String, _ advice: String, file: String = #fileID, line: Int = #line) -> Self {
        Self(.exists, "\(path) already exists: \(advice)", file: file, line: line)
    }

    static func badOption(_ option: String, _ why: String, file: String = #fileID, line: Int = #line) -> Self {
        Self(.badOption, "\(option): \(why)", file: file, line: line)
    }

    static func badKey(_ path: String, _ why: String, file: String = #fileID, line: Int = #line) -> Self {
        Self(.badKey, "\(path): \(why)", file: file, line: line)
    }

    static func notEnoughKeys(_ why: String, file: String = #fileID, line: Int = #line) -> Self {
        Self(.notEnoughKeys, why, file: file, line: line)
    }

    static func refused(_ what: String, _ why: String, file: String = #fileID, line: Int = #line) -> Self {
        Self(.refused, "\(what): \(why)", file: file, line: line)
    }

    static func invalidPolicy(_ lines: [String], file: String = #fileID, line: Int = #line) -> Self {
        Self(.invalidPolicy, lines.joined(separator: "\n"), file: file, line: line)
    }
}
