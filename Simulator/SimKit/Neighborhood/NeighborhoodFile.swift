internal import FoundationEssentials
import GridCore

/// The neighborhood file as written: its clock keys, its transformers (scenarios inline, or the names of their
/// files, read afterwards) and its events. Unknown keys are refused and errors name the field, as in a scenario.
struct NeighborhoodFile: Decodable {
    var name: String?
    var seed: UInt64
    var startTime: Timestamp
    var durationS: Double
    var utcOffsetS: Double
    var timeAcceleration: Double
    var stepS: Double
    var reportIntervalS: Double
    var transformers: [TransformerEntry] = []
    var events: [NeighborhoodEvent] = []

    /// The most transformers one file may hold (each is a few Modbus servers and threads in `run`).
    static let maxTransformers = 64

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, seed, startTime = "start_time", durationS = "duration_s", utcOffsetS = "utc_offset_s"
        case timeAcceleration = "time_acceleration", stepS = "step_s", reportIntervalS = "report_interval_s"
        case transformers, events
    }

    init(from decoder: any Decoder) throws {
        try decoder.refuseUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decodeIfPresent(String.self, forKey: .name)
        seed = try c.decode(UInt64.self, forKey: .seed)
        startTime = Timestamp(secondsSinceEpoch: try c.number(.startTime, in: Scenario.startRange, unit: "s"))
        durationS = try c.number(.durationS, in: Scenario.durationRangeS, unit: "s")
        utcOffsetS = try c.number(.utcOffsetS, in: Scenario.utcOffsetRangeS, unit: "s", default: 0)
        timeAcceleration = try c.number(.timeAcceleration, in: Scenario.accelerationRange, default: 1)
        stepS = try c.number(.stepS, in: Scenario.stepRangeS, unit: "s", default: 1)
        reportIntervalS = try c.number(.reportIntervalS, in: 1...3600, unit: "s", default: ScenarioMetrics.defaultPowerIntervalS)
        var list = try c.nestedUnkeyedContainer(forKey: .transformers)
        while !list.isAtEnd {
            let clock = clock(forTransformerAt: list.currentIndex, placement: .inline)
            transformers.append(try TransformerEntry(from: try list.superDecoder(), clock: clock))
        }
        guard (1...Self.maxTransformers).contains(transformers.count) else {
            throw ScenarioError.inconsistent(c.path(.transformers), "needs 1 to \(Self.maxTransformers) transformers, got \(transformers.count)")
        }
        var ids = Set<String>(), agents = Set<String>()
        for (i, entry) in transformers.enumerated() {
            guard ids.insert(entry.id).inserted else {
                throw ScenarioError.inconsistent("\(c.path(.transformers))[\(i)].id", "\"\(entry.id)\" is used twice")
            }
            guard agents.insert(entry.agentID).inserted else {
                throw ScenarioError.inconsistent("\(c.path(.transformers))[\(i)].agent_id", "\"\(entry.agentID)\" is used twice")
            }
        }
        events = try c.decodeIfPresent([NeighborhoodEvent].self, forKey: .events) ?? []
    }

    /// The clock of the transformer at `index`: the neighborhood's, with a seed of its own drawn from the
    /// neighborhood's, so that two transformers with the same scenario see different households and EVs.
    func clock(forTransformerAt index: Int, placement: NeighborhoodClock.Placement) -> NeighborhoodClock {
        var draw = SeededRandom(seed: seed, stream: 0x7E16_B0E0 &+ UInt64(index))
        return NeighborhoodClock(
            seed: draw.next(), startTime: startTime, durationS: durationS, utcOffsetS: utcOffsetS,
            timeAcceleration: timeAcceleration, stepS: stepS, placement: placement)
    }
}

/// One entry of `transformers`: its id, its agent's id, and its scenario inline or the name of its file.
struct TransformerEntry {
    enum Source {
        case inline(Scenario)
        case file(String)
    }

    var id: String
    var agentID: String
    var source: Source

    var fileName: String? {
        if case .file(let name) = source { name } else { nil }
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case id, agentID = "agent_id", scenario, scenarioFile = "scenario_file"
    }

    init(from decoder: any Decoder, clock: NeighborhoodClock) throws {
        try decoder.refuseUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try Self.name(c, .id)
        agentID = c.contains(.agentID) ? try Self.name(c, .agentID) : id
        switch (c.contains(.scenario), c.contains(.scenarioFile)) {
        case (true, false):
            source = .inline(try Scenario(from: try c.superDecoder(forKey: .scenario), clock: clock))
        case (false, true):
            let name = try c.decode(String.self, forKey: .scenarioFile)
            guard !name.isEmpty else { throw ScenarioError.inconsistent(c.path(.scenarioFile), "must not be empty") }
            source = .file(name)
        default:
            throw ScenarioError.inconsistent(c.path(.scenario), "give exactly one of scenario (inline) and scenario_file")
        }
    }

    /// An id that names files, directories and URL path segments: 1–64 of A–Z a–z 0–9 - _ ., not "." or "..".
    static func name(_ c: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys) throws -> String {
        let text = try c.decode(String.self, forKey: key)
        let allowed = text.utf8.allSatisfy { byte in
            (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || [0x2D, 0x2E, 0x5F].contains(byte)
        }
        guard allowed, (1...64).contains(text.utf8.count), text != ".", text != ".." else {
            throw ScenarioError.inconsistent(
                c.path(key), "\"\(text)\" must be 1–64 of A–Z a–z 0–9 - _ . and not . or .. (it names files and the agent)")
        }
        return text
    }
}

extension Scenario {
    /// Decodes a scenario file that is one of a neighborhood's transformers (see `NeighborhoodClock`).
    static func decode(from bytes: [UInt8], clock: NeighborhoodClock) throws(ScenarioError) -> Scenario {
        struct Clocked: Decodable {
            var scenario: Scenario
            init(from decoder: any Decoder) throws {
                scenario = try Scenario(from: decoder, clock: decoder.userInfo[NeighborhoodClock.userInfoKey] as? NeighborhoodClock)
            }
        }
        let decoder = JSONDecoder()
        decoder.userInfo[NeighborhoodClock.userInfoKey] = clock
        do {
            return try decoder.decode(Clocked.self, from: Data(bytes)).scenario
        } catch {
            throw ScenarioError.from(any: error)
        }
    }
}

extension NeighborhoodClock {
    static let userInfoKey = CodingUserInfoKey(rawValue: "v2g.neighborhood-clock")!
}

extension ScenarioError {
    /// Any error from decoding a file as one that names the field.
    static func from(any error: any Error) -> ScenarioError {
        switch error {
        case let error as ScenarioError: error
        case let error as DecodingError: .from(error)
        default: .malformedJSON("\(error)")
        }
    }
}
