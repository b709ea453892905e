public import GridCore
import StrictJSON

/// A neighborhood envelope that passed every check: a DSSE envelope of type
/// `application/vnd.v2g-edge.envelope+json`, signed by a threshold of the root's envelope keys, whose payload is
/// `{"type": "envelope", "agent_id": ID, "sequence": N, "issued_at": RFC 3339, "valid_until": RFC 3339,
///   "phases": {"A": {"p_min_kw": x, "p_max_kw": y}, "B": {…}, "C": {…}}, "q_bias_kvar": q}`.
///
/// The bounds are on the EV fleet behind the transformer, per phase (+ = charging); the agent intersects them with
/// what its own policy allows, so an envelope can narrow but never widen (docs/envelopes.md).
public struct EnvelopeDocument: Sendable, Hashable {
    public static let payloadType = "application/vnd.v2g-edge.envelope+json"
    /// An envelope is a few hundred bytes; anything near this is not one.
    public static let defaultMaxBytes = 16 * 1024
    /// How far `issued_at` may be ahead of the agent's clock (two NTP-synchronised clocks and a slow link).
    public static let defaultMaxClockSkewS = 30.0
    /// Larger than any distribution transformer's fleet: a bound beyond it is a mistake, not a limit.
    public static let maxMagnitudeKW = 100_000.0
    /// Sequences are JSON-safe integers (exact in a 64-bit float, as every JSON reader can hold them).
    public static let sequenceRange = 1...9_007_199_254_740_991

    public var agentID: String
    /// Strictly increasing per agent: a document with a sequence not above the last accepted one is a replay.
    public var sequence: Int
    public var issuedAt: Timestamp
    public var validUntil: Timestamp
    /// [p_min_kw, p_max_kw] of the EV fleet's active power per phase.
    public var phaseKW: PerPhase<ClosedRange<Double>>
    /// Reactive power the fleet adds to its Volt-VAR output, kvar (+ = injection), spread over the chargers by kVA.
    public var reactiveBiasKvar: Double

    public init(
        agentID: String, sequence: Int, issuedAt: Timestamp, validUntil: Timestamp,
        phaseKW: PerPhase<ClosedRange<Double>>, reactiveBiasKvar: Double = 0
    ) {
        self.agentID = agentID
        self.sequence = sequence
        self.issuedAt = issuedAt
        self.validUntil = validUntil
        self.phaseKW = phaseKW
        self.reactiveBiasKvar = reactiveBiasKvar
    }

    /// Verifies an envelope for one agent, first failure wins: OVERSIZE, MALFORMED, WRONG_PAYLOAD_TYPE, UNSIGNED,
    /// DUPLICATE_KEY, UNKNOWN_KEY, BAD_SIGNATURE, THRESHOLD_NOT_MET (against the root's envelope role), MALFORMED
    /// (payload), ROLLBACK (sequence ≤ `lastSequence`), EXPIRED (`valid_until` ≤ now, or the root), WRONG_TARGET
    /// (another agent's), OUT_OF_RANGE (valid for longer than the root's `max_validity_s`, issued more than
    /// `maxClockSkewS` ahead of `now`, or a bound beyond ±`maxMagnitudeKW`). Pure: bytes and time in.
    public static func verify(
        _ bytes: [UInt8], root: TrustRoot, agentID: String, lastSequence: Int?, now: Timestamp,
        maxClockSkewS: Double = defaultMaxClockSkewS, maxBytes: Int = defaultMaxBytes
    ) throws(BundleRefusal) -> EnvelopeDocument {
        let verified = try root.authenticate(bytes, payloadType: payloadType, role: .envelope, maxBytes: maxBytes)
        let document = try EnvelopeDocument(parsing: verified.payload)
        if let lastSequence, document.sequence <= lastSequence {
            throw BundleRefusal(
                .rollback, "envelope sequence \(document.sequence) is not above the last accepted sequence \(lastSequence) (a replay)")
        }
        try root.refuseIfExpired(now: now)
        guard document.validUntil > now else {
            throw BundleRefusal(
                .expired, "envelope #\(document.sequence) expired at \(document.validUntil.rfc3339) (now \(now.rfc3339))")
        }
        guard document.agentID == agentID else {
            throw BundleRefusal(.wrongTarget, "envelope #\(document.sequence) is for agent \(document.agentID), not \(agentID)")
        }
        if let problem = document.rangeProblem(maxValidityS: root.document.envelopeMaxValidityS, now: now, maxClockSkewS: maxClockSkewS) {
            throw BundleRefusal(.outOfRange, problem)
        }
        return document
    }

    /// The first value out of its allowed range, with the field, the value and the range; nil when none is.
    func rangeProblem(maxValidityS: Int, now: Timestamp, maxClockSkewS: Double) -> String? {
        let validityS = validUntil - issuedAt
        guard validityS > 0, validityS <= Double(maxValidityS) else {
            return "valid_until - issued_at = \(validityS) s is outside the allowed range (0, \(maxValidityS)] s (the root's envelope max_validity_s)"
        }
        let aheadS = issuedAt - now
        guard aheadS <= maxClockSkewS else {
            return "issued_at = \(issuedAt.rfc3339) is \(aheadS) s ahead of the agent's clock (\(now.rfc3339)); at most \(maxClockSkewS) s allowed"
        }
        for phase in Phase.allCases {
            let bounds = phaseKW[phase]
            for (name, value) in [("p_min_kw", bounds.lowerBound), ("p_max_kw", bounds.upperBound)] where abs(value) > Self.maxMagnitudeKW {
                return "phases.\(phase).\(name) = \(value) is outside the allowed range ±\(Self.maxMagnitudeKW) kW"
            }
        }
        guard abs(reactiveBiasKvar) <= Self.maxMagnitudeKW else {
            return "q_bias_kvar = \(reactiveBiasKvar) is outside the allowed range ±\(Self.maxMagnitudeKW) kvar"
        }
        return nil
    }

    /// The payload's fields, read strictly (MALFORMED, naming the line and the field).
    init(parsing payload: [UInt8]) throws(BundleRefusal) {
        do throws(StrictJSONError) {
            let top = try StrictJSON.parse(payload).object("")
            try top.refuseUnknownKeys(["type", "agent_id", "sequence", "issued_at", "valid_until", "phases", "q_bias_kvar"])
            let typeNode = try top.require("type")
            guard try typeNode.string("type") == "envelope" else {
                throw .schema(line: typeNode.line, field: "type", "must be \"envelope\"")
            }
            let idNode = try top.require("agent_id")
            agentID = try idNode.string("agent_id")
            guard PolicyTarget.isValidName(agentID) else {
                throw .schema(line: idNode.line, field: "agent_id", "\"\(agentID)\" is not an agent id (\(PolicyTarget.nameRule))")
            }
            sequence = try top.require("sequence").int("sequence", in: Self.sequenceRange)
            issuedAt = try readTime(top.require("issued_at"), "issued_at")
            validUntil = try readTime(top.require("valid_until"), "valid_until")
            let phases = try top.require("phases").object("phases")
            try phases.refuseUnknownKeys(Phase.allCases.map(\.rawValue))
            phaseKW = PerPhase(a: try Self.bounds(phases, .a), b: try Self.bounds(phases, .b), c: try Self.bounds(phases, .c))
            reactiveBiasKvar = try top.require("q_bias_kvar").double("q_bias_kvar")
        } catch {
            throw BundleRefusal(.malformed, "envelope payload: \(error)")
        }
    }

    private static func bounds(_ phases: JSONObject, _ phase: Phase) throws(StrictJSONError) -> ClosedRange<Double> {
        let node = try phases.require(phase.rawValue)
        let entry = try node.object(phases.path(phase.rawValue))
        try entry.refuseUnknownKeys(["p_min_kw", "p_max_kw"])
        let low = try entry.require("p_min_kw").double(entry.path("p_min_kw"))
        let high = try entry.require("p_max_kw").double(entry.path("p_max_kw"))
        guard low <= high else {
            throw .schema(line: node.line, field: phases.path(phase.rawValue), "p_min_kw \(low) is above p_max_kw \(high)")
        }
        return low...high
    }
}

extension EnvelopeDocument {
    /// The envelope as the control cycle takes it. The kvar bias becomes a per-unit bias on each charger's kVA, so that
    /// the fleet as a whole gives `reactiveBiasKvar`; beyond ±0.44 pu (Volt-VAR's own range) it is cut, since no
    /// charger could give more. `fleetKVA` is the sum of the chargers' kVA ratings (no bias without chargers).
    public func cycleEnvelope(fleetKVA: Double) -> Envelope {
        let perUnit = fleetKVA.isFinite && fleetKVA > 0 ? min(max(reactiveBiasKvar / fleetKVA, -0.44), 0.44) : 0
        return Envelope(agentID: agentID, sequence: sequence, validUntil: validUntil, phaseKW: phaseKW, reactiveBiasPU: perUnit)
    }
}
