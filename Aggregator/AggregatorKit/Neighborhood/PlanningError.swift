/// Why a planning pass posted no envelopes, or why the planner cannot start. `label` is short and fixed (a metric
/// label); `message` says what is wrong and where.
public struct PlanningError: Error, Sendable, Hashable, CustomStringConvertible {
    private enum Code: String, Sendable, Hashable {
        /// The goals or the sequence high-water could not be read: with no goals known, nothing is planned.
        case goalsUnavailable = "goal_store.unavailable"
        /// The pass's sequence could not be recorded before posting (a replayed sequence would be refused anyway).
        case sequenceNotPersisted = "sequence.not_persisted"
        /// The sequence would leave the JSON-safe range.
        case sequenceExhausted = "sequence.exhausted"
        /// The signing keys, the root or the validity do not fit together.
        case signer = "signer.invalid"
        /// An envelope could not be signed (the root expired, a value out of range).
        case signing = "signing.failed"
    }

    private let code: Code
    public let message: String

    private init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var label: String { code.rawValue }
    public var description: String { "\(code.rawValue): \(message)" }

    public static func goalsUnavailable(_ message: String) -> Self { .init(.goalsUnavailable, message) }
    public static func sequenceNotPersisted(_ message: String) -> Self { .init(.sequenceNotPersisted, message) }
    public static func sequenceExhausted(_ message: String) -> Self { .init(.sequenceExhausted, message) }
    public static func signer(_ message: String) -> Self { .init(.signer, message) }
    public static func signing(_ message: String) -> Self { .init(.signing, message) }
}
