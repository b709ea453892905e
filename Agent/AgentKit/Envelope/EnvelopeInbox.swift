public import GridCore
public import Logging
public import PolicyTrust
import Synchronization

/// Where signed envelopes reach the control loop. The state reporter delivers the aggregator's answer from its own
/// thread; the loop takes the newest delivery at the start of a cycle, verifies it (one Ed25519 check) and runs the
/// cycle under the envelope in force. Only the newest delivery is kept: an envelope is superseded, never queued.
public final class EnvelopeInbox: Sendable {
    /// One envelope as received.
    public struct Delivery: Sendable, Hashable {
        public var bytes: [UInt8]
        public var receivedAt: Timestamp
        /// Where it came from (a URL), for the log.
        public var source: String

        public init(bytes: [UInt8], receivedAt: Timestamp, source: String) {
            self.bytes = bytes
            self.receivedAt = receivedAt
            self.source = source
        }
    }

    /// Something the event log must keep.
    public struct Event: Sendable, Hashable {
        public var code: String
        public var message: String
    }

    private let waiting = Mutex<Delivery?>(nil)
    /// Touched by the loop's thread only; the lock makes the class Sendable, and is never contended.
    private let intake: Mutex<EnvelopeIntake>
    /// The root of trust in force, asked for each delivery: the agent's one root (`trust`), so that a rotation the
    /// policy path took applies to envelopes at once.
    private let root: @Sendable () -> TrustRoot?
    private let logger: Logger

    public init(
        agentID: String, root: @escaping @Sendable () -> TrustRoot?,
        missingRootReason: String = "no root of trust is configured (trust.root_file)", logger: Logger
    ) {
        self.intake = Mutex(EnvelopeIntake(agentID: agentID, missingRootReason: missingRootReason))
        self.root = root
        self.logger = logger
    }

    public func deliver(_ delivery: Delivery) {
        waiting.withLock { $0 = delivery }
    }

    /// The envelope in force (verified), if any.
    public var current: EnvelopeDocument? { intake.withLock { $0.current } }

    /// Envelopes refused since the agent started.
    public var refusedCount: Int { intake.withLock { $0.refusedCount } }

    /// For the loop, before each cycle: takes the newest delivery, and returns the envelope for this cycle and what
    /// the event log must record (a refusal once per code, the first envelope after none).
    public func envelopeForCycle(chargers: [ChargerState], now: Timestamp) -> (envelope: Envelope?, events: [Event]) {
        let delivery = waiting.withLock { waiting in
            defer { waiting = nil }
            return waiting
        }
        return intake.withLock { intake in
            var events: [Event] = []
            if let delivery {
                let before = intake.current
                switch intake.receive(delivery.bytes, root: root(), now: now) {
                case .unchanged:
                    break
                case .adopted(let document):
                    let metadata: Logger.Metadata = [
                        "envelope.sequence": "\(document.sequence)", "envelope.valid_until": "\(document.validUntil.rfc3339)",
                    ]
                    // Every planning period brings one: worth a line only when coordination starts again.
                    if before.map({ $0.validUntil <= now }) ?? true {
                        logger.notice("envelope adopted", metadata: metadata)
                        events.append(Event(
                            code: "ENVELOPE_ADOPTED",
                            message: "envelope #\(document.sequence) from \(delivery.source), valid until \(document.validUntil.rfc3339)"))
                    } else {
                        logger.debug("envelope adopted", metadata: metadata)
                    }
                case .refused(let refusal, let first):
                    if first {
                        logger.warning("envelope refused", metadata: [
                            "envelope.code": "\(refusal.code)", "envelope.reason": "\(refusal.reason)", "envelope.source": "\(delivery.source)",
                        ])
                        events.append(Event(code: "ENVELOPE_REFUSED", message: "\(refusal) (from \(delivery.source))"))
                    }
                }
            }
            return (intake.cycleEnvelope(chargers: chargers), events)
        }
    }
}
