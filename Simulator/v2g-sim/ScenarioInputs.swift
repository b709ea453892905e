import ArgumentParser
import FoundationEssentials
import GridCore
import SimKit
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reading the files a command names, with one line naming the file and what is wrong.
enum ScenarioInputs {
    static func scenario(_ path: String) throws -> Scenario {
        let bytes = try read(path)
        do {
            return try Scenario.decode(from: bytes)
        } catch {
            throw fail("\(path): \(error.message)")
        }
    }

    /// A neighborhood file and the scenario files it names; a bad one stops with the file, the field and the reason.
    static func neighborhood(_ path: String) throws -> Neighborhood {
        do {
            return try Neighborhood.load(path: path)
        } catch {
            throw fail(error.message)
        }
    }

    /// A policy file (docs/policy.md), every value checked against its range.
    static func policy(_ path: String) throws -> ControlPolicy {
        let bytes = try read(path)
        let policy: ControlPolicy
        do {
            policy = try JSONDecoder().decode(ControlPolicy.self, from: Data(bytes))
        } catch let error as DecodingError {
            throw fail("\(path): \(describe(error))")
        } catch {
            throw fail("\(path): \(error)")
        }
        do {
            try policy.validate()
        } catch {
            throw fail("\(path): \(error.message)")
        }
        return policy
    }

    static func read(_ path: String) throws -> [UInt8] {
        guard access(path, R_OK) == 0 else { throw fail("cannot read \(path): \(String(cString: strerror(errno)))") }
        do {
            return [UInt8](try Data(contentsOf: URL(filePath: path)))
        } catch {
            throw fail("cannot read \(path): \(error)")
        }
    }

    /// A decoding error as "field: reason".
    static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingPrefix(".").description
        }
        switch error {
        case .dataCorrupted(let context): return "\(path(context.codingPath)): \(context.debugDescription)"
        case .keyNotFound(let key, let context): return "\(path(context.codingPath + [key])) is required"
        case .typeMismatch(let type, let context): return "\(path(context.codingPath)) must be \(type)"
        case .valueNotFound(let type, let context): return "\(path(context.codingPath)) must be \(type), got null"
        @unknown default: return "\(error)"
        }
    }
}
