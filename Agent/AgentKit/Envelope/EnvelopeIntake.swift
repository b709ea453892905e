public import GridCore
public import PolicyTrust

/// Which neighborhood envelope the cycle runs under, as a pure state machine: bytes and the agent's time in, an
/// action out. Only a document that `EnvelopeDocument.verify` accepts becomes the envelope in force; a refused one
/// changes nothing (the envelope in force stays until its own `valid_until`). Sequences only go up, so a replay of
/// an older envelope is refused. Freshness is not judged here: the cycle checks `valid_until` against its own clock
/// every cycle and runs on the policy alone once it has passed.
public struct EnvelopeIntake: Sendable {
    public enum Action: Sendable, Equatable {
        /// A new envelope is in force.
        case adopted(EnvelopeDocument)
        /// The same bytes as the envelope in force (the aggregator repeats it until it plans again).
        case unchanged
        /// Refused; `firstOfItsKind` is false while the same code repeats with nothing accepted in between, so that
        /// the log and the event log say it once.
        case refused(BundleRefusal, firstOfItsKind: Bool)
    }

    public let agentID: String
    /// Why there is no root (when `receive` is given none), for the refusal's reason.
    public let missingRootReason: String
    public private(set) var current: EnvelopeDocument?
    private var currentBytes: [UInt8]?
    private var lastRefusalCode: RefusalCode?
    /// Envelopes refused since the agent started.
    public private(set) var refusedCount = 0

    public init(agentID: String, missingRootReason: String = "no root of trust is configured (trust.root_file)") {
        self.agentID = agentID
        self.missingRootReason = missingRootReason
    }

    /// `root` is the root of trust in force at this moment (the same one policies are checked against, rotations
    /// included); nil when there is none, and then every envelope is refused.
    public mutating func receive(_ bytes: [UInt8], root: TrustRoot?, now: Timestamp) -> Action {
        if let currentBytes, currentBytes == bytes { return .unchanged }
        do throws(BundleRefusal) {
            guard let root else { throw BundleRefusal(.unknownKey, missingRootReason) }
            let document = try EnvelopeDocument.verify(bytes, root: root, agentID: agentID, lastSequence: current?.sequence, now: now)
            current = document
            currentBytes = bytes
            lastRefusalCode = nil
            return .adopted(document)
        } catch {
            refusedCount += 1
            let first = lastRefusalCode != error.code
            lastRefusalCode = error.code
            return .refused(error, firstOfItsKind: first)
        }
    }

    /// The envelope in force for the cycle (expired or not: the cycle decides), its kvar bias spread over the
    /// kVA of `chargers`.
    public func cycleEnvelope(chargers: [ChargerState]) -> Envelope? {
        current?.cycleEnvelope(fleetKVA: chargers.reduce(0) { $0 + ($1.ratedKVA.isFinite ? max(0, $1.ratedKVA) : 0) })
    }
}
