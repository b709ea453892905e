public import GridCore

/// An operator's instruction to the neighborhood (docs/neighborhood.md, "Goals"). Powers are the EV fleet's, summed
/// over the planned transformers, except the import cap, which bounds what the transformers draw in all.
public struct NeighborhoodGoal: Sendable, Hashable, Codable {
    public var id: String
    /// In force from `start` (included) to `end` (excluded).
    public var start: Timestamp
    public var end: Timestamp
    /// Higher wins among overlapping power goals (default 0).
    public var priority: Int
    public var action: Action

    public enum Action: Sendable, Hashable {
        /// The EV fleet discharges this much in all (its net active power is −kilowatts).
        case discharge(kilowatts: Double)
        /// The EV fleet charges this much in all.
        case absorb(kilowatts: Double)
        /// The transformers together draw at most this much from the feeder (households and EVs).
        case importCap(kilowatts: Double)
        /// The EV fleet's net power follows these steps (+ = charging), each held until the next.
        case schedule([ScheduleStep])
    }

    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        case discharge, absorb, importCap = "import_cap", schedule
    }

    public var kind: Kind {
        switch action {
        case .discharge: .discharge
        case .absorb: .absorb
        case .importCap: .importCap
        case .schedule: .schedule
        }
    }

    public init(id: String, start: Timestamp, end: Timestamp, priority: Int = 0, action: Action) {
        self.id = id
        self.start = start
        self.end = end
        self.priority = priority
        self.action = action
    }

    public func isActive(at now: Timestamp) -> Bool { start <= now && now < end }

    /// The EV fleet's target at `now` (+ = charging), for the three power goals; nil for a cap or outside a schedule.
    public func fleetTargetKW(at now: Timestamp) -> Double? {
        switch action {
        case .discharge(let kw): -kw
        case .absorb(let kw): kw
        case .importCap: nil
        case .schedule(let steps): steps.last(where: { $0.at <= now })?.powerKW
        }
    }

    /// The largest power a goal may name: far above any neighborhood, so only a typo reaches it.
    public static let maximumKW = 100_000.0

    enum CodingKeys: String, CodingKey, CaseIterable {
        case id, kind, start, end, priority, powerKW = "power_kw", limitKW = "limit_kw", steps
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decodeID(.id)
        let kindText = try c.decode(String.self, forKey: .kind)
        guard let kind = Kind(rawValue: kindText) else {
            throw c.corrupted(.kind, "kind must be one of \(Kind.allCases.map(\.rawValue).joined(separator: ", ")), got \"\(kindText)\"")
        }
        start = try c.decodeTime(.start)
        end = try c.decodeTime(.end)
        guard end > start else { throw c.corrupted(.end, "end \(end.rfc3339) must be after start \(start.rfc3339)") }
        priority = try c.decodeIfPresent(Int.self, forKey: .priority) ?? 0
        guard (-1_000...1_000).contains(priority) else { throw c.corrupted(.priority, "priority = \(priority) is outside -1000…1000") }
        // Each kind takes its own keys only: a cap with a power_kw is a mistake worth naming.
        let wanted: Set<CodingKeys> = switch kind {
        case .discharge, .absorb: [.powerKW]
        case .importCap: [.limitKW]
        case .schedule: [.steps]
        }
        for key in [CodingKeys.powerKW, .limitKW, .steps] where c.contains(key) && !wanted.contains(key) {
            throw c.corrupted(key, "\(key.stringValue) does not apply to a \(kind.rawValue) goal")
        }
        switch kind {
        case .discharge: action = .discharge(kilowatts: try c.decode(.powerKW, in: 0...Self.maximumKW, unit: "kW"))
        case .absorb: action = .absorb(kilowatts: try c.decode(.powerKW, in: 0...Self.maximumKW, unit: "kW"))
        case .importCap: action = .importCap(kilowatts: try c.decode(.limitKW, in: -Self.maximumKW...Self.maximumKW, unit: "kW"))
        case .schedule:
            let steps = try c.decode([ScheduleStep].self, forKey: .steps)
            guard !steps.isEmpty, steps.count <= 10_000 else { throw c.corrupted(.steps, "a schedule needs 1 to 10000 steps") }
            try Self.checkSteps(steps, start: start, end: end, decoder: decoder)
            action = .schedule(steps)
        }
    }

    private static func checkSteps(_ steps: [ScheduleStep], start: Timestamp, end: Timestamp, decoder: any Decoder) throws {
        func fail(_ index: Int, _ message: String) -> DecodingError {
            DecodingError.dataCorrupted(.init(
                codingPath: decoder.codingPath + [CodingKeys.steps, IndexKey(index), ScheduleStep.CodingKeys.at], debugDescription: message))
        }
        guard steps[0].at == start else { throw fail(0, "the first step must be at the goal's start (\(start.rfc3339))") }
        for index in steps.indices.dropFirst() where !(steps[index].at > steps[index - 1].at) {
            throw fail(index, "steps must be in strictly increasing time")
        }
        if let last = steps.last, last.at >= end { throw fail(steps.count - 1, "a step must begin before the goal's end (\(end.rfc3339))") }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(kind.rawValue, forKey: .kind)
        try c.encodeTime(start, forKey: .start)
        try c.encodeTime(end, forKey: .end)
        try c.encode(priority, forKey: .priority)
        switch action {
        case .discharge(let kw), .absorb(let kw): try c.encode(kw, forKey: .powerKW)
        case .importCap(let kw): try c.encode(kw, forKey: .limitKW)
        case .schedule(let steps): try c.encode(steps, forKey: .steps)
        }
    }
}

/// One step of a schedule: from `at` until the next step (or the goal's end), the EV fleet's net power.
public struct ScheduleStep: Sendable, Hashable, Codable {
    public var at: Timestamp
    /// + = charging (absorb), − = discharging.
    public var powerKW: Double

    public init(at: Timestamp, powerKW: Double) {
        self.at = at
        self.powerKW = powerKW
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case at, powerKW = "power_kw" }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        at = try c.decodeTime(.at)
        powerKW = try c.decode(.powerKW, in: -NeighborhoodGoal.maximumKW...NeighborhoodGoal.maximumKW, unit: "kW")
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeTime(at, forKey: .at)
        try c.encode(powerKW, forKey: .powerKW)
    }
}

/// A goal file: `{"goals": [...]}`, ids unique.
public struct GoalSet: Sendable, Hashable, Codable {
    public var goals: [NeighborhoodGoal]

    public init(goals: [NeighborhoodGoal]) { self.goals = goals }

    enum CodingKeys: String, CodingKey, CaseIterable { case goals }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        goals = try c.decode([NeighborhoodGoal].self, forKey: .goals)
        try refuseDuplicateIDs(goals.map(\.id), list: CodingKeys.goals, idKey: NeighborhoodGoal.CodingKeys.id, decoder: decoder)
    }
}
