import EdgeCurl

/// Posts telemetry frames to the aggregator over mutual TLS and classifies each answer (docs/uplink.md), blocking the
/// calling thread. The agent itself uses `CurlTransport`, the same requests from async code; this one serves tools and
/// benchmarks that drive the uplink from a thread of their own.
///
/// Not Sendable: it owns one libcurl handle, which must never be used by two threads at once.
public final class UplinkClient {
    public let settings: UplinkSettings
    private let easy: CurlEasy

    public init(settings: UplinkSettings) throws(UplinkError) {
        self.settings = settings
        do {
            easy = try CurlEasy(settings: settings.curl)
        } catch {
            throw .setup(error.description)
        }
    }

    /// Posts one frame and classifies the answer; nothing here touches the queue.
    public func post(frame: [UInt8], sequence: UInt64) -> UplinkResult {
        if let refused = UplinkRequest.refusal(frame: frame, sequence: sequence, settings: settings) { return refused }
        do {
            let response = try easy.post(settings.telemetryURL, body: frame, headers: UplinkRequest.headers(sequence: sequence))
            return UplinkRequest.result(response, sequence: sequence)
        } catch {
            return UplinkRequest.result(error)
        }
    }
}

/// What a frame's POST carries and how its outcome becomes an `UplinkResult`, shared by both clients.
enum UplinkRequest {
    static func headers(sequence: UInt64) -> [String] {
        ["Content-Type: application/vnd.v2g.telemetry-frame", "X-V2G-Sequence: \(sequence)"]
    }

    /// A frame the aggregator would refuse for its size is never sent.
    static func refusal(frame: [UInt8], sequence: UInt64, settings: UplinkSettings) -> UplinkResult? {
        guard frame.count > settings.maxFrameBytes else { return nil }
        return .permanent(UplinkFailure(
            label: "frame_too_large", message: "frame \(sequence) is \(frame.count) bytes, the limit is \(settings.maxFrameBytes)"))
    }

    static func result(_ response: CurlResponse, sequence: UInt64) -> UplinkResult {
        UplinkClassifier.classify(status: response.status, body: response.body, sequence: sequence)
    }

    /// A transfer error: every one is retryable (a certificate may be renewed, a network comes back). The labels are
    /// EdgeCurl's (`network_timeout`, `tls_peer_verification`, …).
    static func result(_ error: CurlError) -> UplinkResult {
        .retryable(UplinkFailure(label: error.label, message: error.message))
    }
}

extension UplinkSettings {
    /// The libcurl settings for these: the same timeouts, TLS files and response cap.
    var curl: CurlSettings {
        CurlSettings(
            tls: tls.map { MutualTLSFiles(caPath: $0.caPath, certificatePath: $0.certificatePath, keyPath: $0.keyPath) },
            connectTimeoutS: connectTimeoutS, totalTimeoutS: totalTimeoutS, maxResponseBytes: maxResponseBytes)
    }
}
