import EdgeCurl

/// Posts one frame and reports how the aggregator answered; the real one is `CurlTransport`, tests script their own.
public protocol TelemetryTransport: Sendable {
    func post(frame: [UInt8], sequence: UInt64) async -> UplinkResult
}

/// The agent's transport: EdgeCurl's `CurlClient`, whose transfers block a dispatch queue of their own, never a
/// thread of Swift's cooperative pool, so the other services keep their threads while a POST waits out its timeout.
/// Cancelling the calling task (graceful shutdown) aborts the transfer in flight.
public final class CurlTransport: TelemetryTransport {
    public let settings: UplinkSettings
    private let client: CurlClient

    public init(settings: UplinkSettings) throws(UplinkError) {
        self.settings = settings
        do {
            client = try CurlClient(settings: settings.curl, label: "v2g-agent.uplink")
        } catch {
            throw .setup(error.description)
        }
    }

    public func post(frame: [UInt8], sequence: UInt64) async -> UplinkResult {
        if let refused = UplinkRequest.refusal(frame: frame, sequence: sequence, settings: settings) { return refused }
        do {
            let response = try await client.post(settings.telemetryURL, body: frame, headers: UplinkRequest.headers(sequence: sequence))
            return UplinkRequest.result(response, sequence: sequence)
        } catch {
            return UplinkRequest.result(error)
        }
    }
}
