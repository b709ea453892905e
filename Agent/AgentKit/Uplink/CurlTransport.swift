import Dispatch

/// Posts one frame and reports how the aggregator answered; the real one is `CurlTransport`, tests script their own.
public protocol TelemetryTransport: Sendable {
    func post(frame: [UInt8], sequence: UInt64) async -> UplinkResult
}

/// `UplinkClient` on a serial DispatchQueue: libcurl blocks a dispatch thread, never a thread of Swift's cooperative
/// pool, so the control loop's task keeps its threads while a POST waits out its timeout.
///
/// Task cancellation (graceful shutdown) aborts the transfer in flight through libcurl's progress callback; after
/// that the transport aborts every later transfer too, as it is only cancelled when the agent stops.
public final class CurlTransport: TelemetryTransport {
    private let queue = DispatchQueue(label: "v2g-agent.uplink.curl")
    private let client: ClientBox
    private let cancelFlag: CancelFlag

    public init(settings: UplinkSettings) throws(UplinkError) {
        let client = try UplinkClient(settings: settings)
        cancelFlag = client.cancelFlag
        self.client = ClientBox(client)
    }

    public func post(frame: [UInt8], sequence: UInt64) async -> UplinkResult {
        let client = self.client
        let queue = self.queue
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                queue.async { continuation.resume(returning: client.client.post(frame: frame, sequence: sequence)) }
            }
        } onCancel: {
            cancelFlag.set(true)
        }
    }
}

/// Safe: the client is only ever used from `CurlTransport.queue`, a serial queue (one transfer at a time).
private final class ClientBox: @unchecked Sendable {
    let client: UplinkClient
    init(_ client: UplinkClient) { self.client = client }
}
