/// The aggregator's short-lived operating envelope (control cycle step 3).
/// Limits are on the EV fleet behind this transformer: the sum of its chargers' active power
/// (+ = charging), for the whole transformer and per phase. A bound of 0 means stop, never reverse:
/// an upper bound ≤ 0 forbids every charger to charge, a lower bound ≥ 0 forbids every charger to discharge.
/// The cycle checks freshness and only ever intersects: an envelope narrows what the policy allows, never widens it.
///
/// This type carries no signature and GridCore checks none (it is pure). The running agent fills it only from a
/// signed envelope that `EnvelopeDocument.verify` (PolicyTrust) accepted, through its `EnvelopeInbox`; the one other
/// source is a plan snapshot an operator wrote for `v2g-agent plan`, which is a what-if, not a command.
public struct Envelope: Sendable, Hashable, Codable {
    public var agentID: String
    public var sequence: Int
    public var validUntil: Timestamp
    public var transformerKW: ClosedRange<Double>?
    public var phaseKW: PerPhase<ClosedRange<Double>>?
    /// Reactive bias added to every charger's Volt-VAR output, per unit of its kVA.
    public var reactiveBiasPU: Double

    public init(
        agentID: String, sequence: Int, validUntil: Timestamp, transformerKW: ClosedRange<Double>? = nil,
        phaseKW: PerPhase<ClosedRange<Double>>? = nil, reactiveBiasPU: Double = 0
    ) {
        self.agentID = agentID
        self.sequence = sequence
        self.validUntil = validUntil
        self.transformerKW = transformerKW
        self.phaseKW = phaseKW
        self.reactiveBiasPU = reactiveBiasPU
    }

    public func isFresh(at now: Timestamp) -> Bool { now < validUntil }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case agentID = "agent_id", sequence, validUntil = "valid_until", transformerKW = "transformer_kw"
        case phaseKW = "phase_kw", reactiveBiasPU = "q_bias_pu"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        agentID = try c.decode(String.self, forKey: .agentID)
        sequence = try c.decode(Int.self, forKey: .sequence)
        validUntil = try c.decode(Timestamp.self, forKey: .validUntil)
        transformerKW = try c.decodeIfPresent(KilowattRange.self, forKey: .transformerKW)?.range
        phaseKW = try c.decodeIfPresent(PerPhase<KilowattRange>.self, forKey: .phaseKW)?.map(\.range)
        reactiveBiasPU = try c.value(.reactiveBiasPU, default: 0)
        guard reactiveBiasPU.isFinite, abs(reactiveBiasPU) <= 0.44 else {
            throw DecodingError.dataCorruptedError(
                forKey: .reactiveBiasPU, in: c, debugDescription: "q_bias_pu must be within ±0.44, got \(reactiveBiasPU)")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(agentID, forKey: .agentID)
        try c.encode(sequence, forKey: .sequence)
        try c.encode(validUntil, forKey: .validUntil)
        try c.encodeIfPresent(transformerKW.map(KilowattRange.init), forKey: .transformerKW)
        try c.encodeIfPresent(phaseKW?.map(KilowattRange.init), forKey: .phaseKW)
        try c.encode(reactiveBiasPU, forKey: .reactiveBiasPU)
    }
}

/// `[min, max]` in kW as a two-element JSON array, checked to be finite and ordered.
struct KilowattRange: Codable, Sendable {
    var range: ClosedRange<Double>

    init(_ range: ClosedRange<Double>) { self.range = range }

    init(from decoder: any Decoder) throws {
        var c = try decoder.unkeyedContainer()
        let low = try c.decode(Double.self)
        let high = try c.decode(Double.self)
        guard c.isAtEnd, low.isFinite, high.isFinite, low <= high else {
            throw DecodingError.dataCorrupted(.init(
                codingPath: decoder.codingPath, debugDescription: "expected [min_kw, max_kw] with min ≤ max, both finite"))
        }
        range = low...high
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.unkeyedContainer()
        try c.encode(range.lowerBound)
        try c.encode(range.upperBound)
    }
}
