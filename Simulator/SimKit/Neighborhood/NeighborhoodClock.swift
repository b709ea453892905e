import GridCore

/// What a neighborhood sets in each of its transformers' scenarios: one clock, one pace, and a seed drawn for the
/// transformer from the neighborhood's.
struct NeighborhoodClock: Sendable {
    /// Where the transformer's scenario is written.
    enum Placement: Sendable {
        /// Inside the neighborhood file: the clock keys are left out.
        case inline
        /// In a file of its own that can also be played alone: its clock keys are checked and then replaced, but its
        /// start and UTC offset must be the neighborhood's (its session times and daily profiles are written against them).
        case file
    }

    var seed: UInt64
    var startTime: Timestamp
    var durationS: Double
    var utcOffsetS: Double
    var timeAcceleration: Double
    var stepS: Double
    var placement: Placement

    /// The keys of a scenario that belong to the neighborhood.
    static let keys: [Scenario.CodingKeys] = [.seed, .startTime, .durationS, .utcOffsetS, .timeAcceleration, .stepS]

    /// Refuses the clock keys of an inline scenario, or a referenced file's that disagree with the neighborhood.
    func check(_ c: KeyedDecodingContainer<Scenario.CodingKeys>) throws {
        switch placement {
        case .inline:
            for key in Self.keys where c.contains(key) {
                throw ScenarioError.inconsistent(c.path(key), "is set by the neighborhood: leave it out here")
            }
        case .file:
            _ = try c.decodeIfPresent(UInt64.self, forKey: .seed)
            _ = try c.optionalNumber(.durationS, in: Scenario.durationRangeS, unit: "s")
            _ = try c.optionalNumber(.timeAcceleration, in: Scenario.accelerationRange)
            _ = try c.optionalNumber(.stepS, in: Scenario.stepRangeS, unit: "s")
            if let start = try c.optionalNumber(.startTime, in: Scenario.startRange, unit: "s"), start != startTime.secondsSinceEpoch {
                throw ScenarioError.inconsistent(
                    c.path(.startTime),
                    "= \(start) differs from the neighborhood's start_time \(startTime.secondsSinceEpoch) (its session times are written against it)")
            }
            let offset = try c.number(.utcOffsetS, in: Scenario.utcOffsetRangeS, unit: "s", default: 0)
            guard offset == utcOffsetS else {
                throw ScenarioError.inconsistent(
                    c.path(.utcOffsetS), "= \(offset) differs from the neighborhood's utc_offset_s \(utcOffsetS) (its daily profiles are written against it)")
            }
        }
    }
}
