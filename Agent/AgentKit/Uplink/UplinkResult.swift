import FoundationEssentials

/// How the aggregator answered one frame (docs/uplink.md: the status table).
public enum UplinkResult: Sendable, Hashable {
    /// The aggregator stored the frame (or had it already: `duplicate`); the queue may delete it.
    case acknowledged(sequence: UInt64, duplicate: Bool)
    /// Try again later with backoff: network error, timeout, 5xx, 429, or a 2xx without a matching ack.
    case retryable(UplinkFailure)
    /// Never send this frame again: it is set aside in `rejected` (400 frame error, 403, 409, 413, 415, 422).
    case permanent(UplinkFailure)
}

/// Why an upload did not succeed: a short label (safe as a metric label) and the details.
public struct UplinkFailure: Sendable, Hashable, CustomStringConvertible {
    /// e.g. `network_timeout`, `http_503`, `frame.bad_crc`, `ack_missing`.
    public let label: String
    public let message: String
    /// The HTTP status, when a response arrived.
    public let httpStatus: Int?

    public init(label: String, message: String, httpStatus: Int? = nil) {
        self.label = label
        self.message = message
        self.httpStatus = httpStatus
    }

    public var description: String { "\(label): \(message)" }
}

/// Turns an HTTP status and body into an `UplinkResult`; pure, so it is tested without a server.
public enum UplinkClassifier {
    /// The aggregator's acknowledgement: `{"sequence": 42, "duplicate": false}`.
    struct Ack: Decodable { var sequence: UInt64; var duplicate: Bool? }
    /// The aggregator's refusal: `{"error": "frame.bad_crc", "message": "…"}`.
    struct Refusal: Decodable { var error: String; var message: String? }

    /// Classifies a response to the frame `sequence`. Only a 2xx whose JSON names this sequence is an ack.
    public static func classify(status: Int, body: [UInt8], sequence: UInt64) -> UplinkResult {
        let text = String(decoding: body.prefix(300), as: UTF8.self)
        switch status {
        case 200...299:
            guard let ack = try? JSONDecoder().decode(Ack.self, from: Data(body)) else {
                return .retryable(UplinkFailure(label: "ack_missing", message: "HTTP \(status) without an ack: \(text)", httpStatus: status))
            }
            guard ack.sequence == sequence else {
                return .retryable(UplinkFailure(
                    label: "ack_mismatch", message: "sent frame \(sequence), the ack names \(ack.sequence)", httpStatus: status))
            }
            return .acknowledged(sequence: sequence, duplicate: ack.duplicate ?? false)
        case 400, 422:
            let refusal = try? JSONDecoder().decode(Refusal.self, from: Data(body))
            let label = refusal.map { Self.safeLabel($0.error) } ?? "http_\(status)"
            return .permanent(UplinkFailure(label: label, message: refusal?.message ?? text, httpStatus: status))
        case 403, 409, 413, 415:
            let names = [403: "forbidden", 409: "sequence_conflict", 413: "frame_too_large", 415: "unsupported_media_type"]
            return .permanent(UplinkFailure(label: names[status] ?? "http_\(status)", message: "HTTP \(status): \(text)", httpStatus: status))
        default:
            // 5xx, 429, 408 and anything unexpected (401, 404: a misconfiguration) are retried: refusing for good on a
            // status the aggregator does not use for frames would set good data aside.
            return .retryable(UplinkFailure(label: "http_\(status)", message: "HTTP \(status): \(text)", httpStatus: status))
        }
    }

    /// The aggregator's error label, kept only if it looks like one (`[a-z0-9._]`, ≤ 48 bytes).
    static func safeLabel(_ label: String) -> String {
        let ok = !label.isEmpty && label.utf8.count <= 48
            && label.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2E || $0 == 0x5F }
        return ok ? label : "http_400"
    }
}
