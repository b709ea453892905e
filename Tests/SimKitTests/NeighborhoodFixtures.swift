import FoundationEssentials
import GridCore
@testable import SimKit
import Testing

/// Neighborhoods for the tests: small hand-made ones read from memory, and the shipped examples.
enum NeighborhoodFixtures {
    static let path = "/n/neighborhood.json"

    /// tx-a's scenario file: a 100 kVA feeder with evse-01 on A and evse-02 on B (a standalone scenario).
    static let fileA = Fixtures.feederJSON(
        chargers: [Fixtures.charger("evse-01", phase: "A"), Fixtures.charger("evse-02", phase: "B")], baseKW: (10, 5, 3))

    /// A scenario written inline: the feeder fixture without the clock keys the neighborhood sets.
    static func inline(chargers: [String], baseKW: (a: Double, b: Double, c: Double) = (4, 8, 6)) -> String {
        let full = Fixtures.feederJSON(chargers: chargers, baseKW: baseKW)
        let clock = "{\"seed\": 1, \"start_time\": \(Fixtures.start), \"duration_s\": 86400.0,"
        precondition(full.hasPrefix(clock), "the feeder fixture's first keys changed")
        return "{" + full.dropFirst(clock.count)
    }

    /// tx-a from `a.json`, tx-b inline (it has an evse-01 too, on phase C), and `events`.
    static func json(events: [String] = [], extraKeys: String = "", transformerB: String? = nil) -> String {
        let b = transformerB ?? """
            {"id": "tx-b", "agent_id": "agent-b", "scenario": \(inline(chargers: [Fixtures.charger("evse-01", phase: "C")]))}
            """
        return """
            {"name": "pair", "seed": 42, "start_time": \(Fixtures.start), "duration_s": 7200, "time_acceleration": 600,
             "report_interval_s": 60\(extraKeys),
             "transformers": [
               {"id": "tx-a", "agent_id": "agent-a", "scenario_file": "a.json"},
               \(b)
             ],
             "events": [\(events.joined(separator: ", "))]}
            """
    }

    struct MissingFile: Error, CustomStringConvertible { var description: String { "No such file or directory" } }

    /// Decodes `json` as `/n/neighborhood.json`, its scenario files from `files` (by resolved path).
    static func decode(_ json: String, files: [String: String] = ["/n/a.json": fileA]) throws(NeighborhoodError) -> Neighborhood {
        try Neighborhood.decode(from: Array(json.utf8), path: path) { name in
            guard let text = files[name] else { throw MissingFile() }
            return Array(text.utf8)
        }
    }

    /// `{"kind": …, "start": start + startS, "duration_s": …}` plus the kind's keys.
    static func event(_ kind: String, startS: Double, durationS: Double, _ keys: String = "") -> String {
        SimFieldFixtures.event(kind, startS: startS, durationS: durationS, keys)
    }

    /// The folder of the shipped examples.
    static var examplesFolder: String {
        var root = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        root.removeLast(3)
        return root.joined(separator: "/") + "/examples/scenarios"
    }

    static func example(_ name: String) throws -> Neighborhood {
        try Neighborhood.load(path: examplesFolder + "/\(name).json")
    }

    /// A neighborhood as if it were a file in the examples folder, so that it can name the shipped scenarios.
    static func besideExamples(_ json: String) throws -> Neighborhood {
        try Neighborhood.decode(from: Array(json.utf8), path: examplesFolder + "/test.json") { name in
            [UInt8](try Data(contentsOf: URL(filePath: name)))
        }
    }
}
