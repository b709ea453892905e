public import GridCore

/// One cycle's worth of inputs, as a file: what `v2g-agent plan` replays.
public struct PlanSnapshot: Sendable, Decodable {
    public var time: Timestamp
    public var inputs: CycleInputs
    /// The agent's remembered state (hot-spot estimate, filters, last writes); a fresh state when absent.
    public var state: CycleState

    enum CodingKeys: String, CodingKey, CaseIterable {
        case time, meter, ambientC = "ambient_c", topOilC = "top_oil_c", chargers, envelope, state
    }

    public init(time: Timestamp, inputs: CycleInputs, state: CycleState = CycleState()) {
        self.time = time
        self.inputs = inputs
        self.state = state
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        time = try c.decode(Timestamp.self, forKey: .time)
        inputs = CycleInputs(
            meter: try c.decodeIfPresent(MeterReading.self, forKey: .meter),
            ambientC: try c.decodeIfPresent(Double.self, forKey: .ambientC),
            topOilC: try c.decodeIfPresent(Double.self, forKey: .topOilC),
            chargers: try c.decode([ChargerState].self, forKey: .chargers),
            envelope: try c.decodeIfPresent(Envelope.self, forKey: .envelope)
        )
        state = try c.decodeIfPresent(CycleState.self, forKey: .state) ?? CycleState()
        var seen = Set<String>()
        for charger in inputs.chargers where !seen.insert(charger.id).inserted {
            throw DecodingError.dataCorruptedError(
                forKey: .chargers, in: c, debugDescription: "charger id \"\(charger.id)\" appears twice")
        }
    }
}
