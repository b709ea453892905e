internal import FoundationEssentials
public import GridCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Several transformers on one feeder, each with its meter, temperatures, households and chargers, under one clock:
/// what `v2g-sim run --neighborhood` serves and `v2g-sim rehearse --neighborhood` plays. Each transformer's scenario is
/// the single-transformer format (docs/simulator.md), written inline or in a file of its own; the neighborhood sets
/// its clock keys and seed and adds the neighborhood's events that reach it. The transformers' physics are
/// independent: the feeder reaches them only through its events (a sag, PV, a frequency excursion).
public struct Neighborhood: Sendable, Hashable {
    public var name: String?
    public var seed: UInt64
    public var startTime: Timestamp
    public var durationS: Double
    public var utcOffsetS: Double
    public var timeAcceleration: Double
    public var stepS: Double
    /// The window of the net power series in the reports, in seconds.
    public var reportIntervalS: Double
    /// In file order; each scenario already holds the neighborhood's clock, its own seed and its events.
    public var transformers: [NeighborhoodTransformer]
    /// The neighborhood's events as written (each is also in the scenarios it reaches).
    public var events: [NeighborhoodEvent]

    public var endTime: Timestamp { startTime + durationS }

    /// When the last EV of any transformer leaves.
    public var lastDeparture: Timestamp { transformers.map(\.scenario.lastDeparture).max() ?? endTime }

    public func transformer(_ id: String) -> NeighborhoodTransformer? { transformers.first { $0.id == id } }

    /// Reads a neighborhood file and every scenario file it names (relative to its own folder).
    public static func load(path: String) throws(NeighborhoodError) -> Neighborhood {
        let bytes: [UInt8]
        do { bytes = try readFile(path) } catch { throw .unreadable(path, "\(error)", via: nil) }
        return try decode(from: bytes, path: path, readFile: readFile)
    }

    /// A whole file, or an error in errno's plain words ("No such file or directory").
    static func readFile(_ path: String) throws(UnreadableFile) -> [UInt8] {
        var status = stat()
        guard stat(path, &status) == 0, access(path, R_OK) == 0 else { throw UnreadableFile(String(cString: strerror(errno))) }
        guard status.st_mode & S_IFMT != S_IFDIR else { throw UnreadableFile(String(cString: strerror(EISDIR))) }
        do { return [UInt8](try Data(contentsOf: URL(filePath: path))) } catch { throw UnreadableFile("\(error)") }
    }

    struct UnreadableFile: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    /// Decodes a neighborhood file's bytes; `readFile` gives the bytes of a scenario file it names.
    public static func decode(
        from bytes: [UInt8], path: String, readFile: (String) throws -> [UInt8]
    ) throws(NeighborhoodError) -> Neighborhood {
        let file: NeighborhoodFile
        do {
            file = try JSONDecoder().decode(NeighborhoodFile.self, from: Data(bytes))
        } catch {
            throw .invalid(path, ScenarioError.from(any: error))
        }
        var transformers: [NeighborhoodTransformer] = []
        for (index, entry) in file.transformers.enumerated() {
            var scenario: Scenario
            switch entry.source {
            case .inline(let inline): scenario = inline
            case .file(let name):
                let resolved = Self.resolve(name, besides: path)
                let via = "transformers[\(index)].scenario_file of \(path)"
                let scenarioBytes: [UInt8]
                do { scenarioBytes = try readFile(resolved) } catch { throw .unreadable(resolved, "\(error)", via: via) }
                do {
                    scenario = try Scenario.decode(from: scenarioBytes, clock: file.clock(forTransformerAt: index, placement: .file))
                } catch {
                    throw .scenarioInvalid(resolved, error, via: via)
                }
            }
            transformers.append(NeighborhoodTransformer(id: entry.id, agentID: entry.agentID, scenarioFile: entry.fileName, scenario: scenario))
        }
        var neighborhood = Neighborhood(
            name: file.name, seed: file.seed, startTime: file.startTime, durationS: file.durationS, utcOffsetS: file.utcOffsetS,
            timeAcceleration: file.timeAcceleration, stepS: file.stepS, reportIntervalS: file.reportIntervalS,
            transformers: transformers, events: file.events)
        do { try neighborhood.deliverEvents() } catch { throw .invalid(path, error) }
        return neighborhood
    }

    /// `name` relative to the folder of `neighborhoodPath` (absolute names as they are).
    static func resolve(_ name: String, besides neighborhoodPath: String) -> String {
        guard !name.hasPrefix("/"), let slash = neighborhoodPath.lastIndex(of: "/") else { return name }
        return String(neighborhoodPath[...slash]) + name
    }

    /// Appends each neighborhood event to the scenarios it reaches, after checking what it names.
    private mutating func deliverEvents() throws(ScenarioError) {
        for (i, entry) in events.enumerated() {
            let targets: [Int]
            if let id = entry.transformerID {
                guard let index = transformers.firstIndex(where: { $0.id == id }) else {
                    throw .inconsistent("events[\(i)].transformer", "no transformer has id \"\(id)\"")
                }
                targets = [index]
            } else if NeighborhoodEvent.feederWide.contains(entry.event.kind) {
                targets = Array(transformers.indices)
            } else {
                throw .inconsistent("events[\(i)].transformer", "is required: a \(entry.event.kind.rawValue) event happens at one transformer")
            }
            for index in targets {
                let transformer = transformers[index]
                let chargers = Set(transformer.scenario.chargers.map(\.id))
                if let id = entry.event.chargerID, !chargers.contains(id) {
                    throw .inconsistent("events[\(i)].charger", "transformer \(transformer.id) has no charger with id \"\(id)\"")
                }
                if let device = entry.event.device, !Scenario.fixedDevices.contains(device), !chargers.contains(device) {
                    throw .inconsistent(
                        "events[\(i)].device", "must be \"meter\", \"transformer\" or a charger id of \(transformer.id), got \"\(device)\"")
                }
                transformers[index].scenario.events.append(entry.event)
            }
        }
    }
}

/// One transformer of a neighborhood and the agent that serves it.
public struct NeighborhoodTransformer: Sendable, Hashable {
    /// Names it in reports, events and the control file.
    public var id: String
    /// The `agent_id` of its generated agent configuration.
    public var agentID: String
    /// The scenario file it was read from, as the neighborhood names it; nil when written inline.
    public var scenarioFile: String?
    public var scenario: Scenario
}

/// An event of the neighborhood: any single-transformer event, at one transformer or, for the feeder's own events
/// (a sag, PV, a frequency excursion) with no transformer named, at every one.
public struct NeighborhoodEvent: Sendable, Hashable, Decodable {
    /// nil: every transformer (feeder-wide kinds only).
    public var transformerID: String?
    public var event: ScenarioEvent

    /// The kinds that come from the feeder and may reach every transformer.
    public static let feederWide: Set<ScenarioEvent.Kind> = [.voltageSag, .pvOvervoltage, .frequencyExcursion]

    public init(from decoder: any Decoder) throws {
        event = try ScenarioEvent(from: decoder, alsoAllowing: ["transformer"])
        let c = try decoder.container(keyedBy: ScenarioKey.self)
        transformerID = try c.decodeIfPresent(String.self, forKey: ScenarioKey(stringValue: "transformer"))
    }
}
