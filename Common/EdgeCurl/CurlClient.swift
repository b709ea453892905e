import Dispatch

/// A `CurlEasy` for async callers: each request blocks a serial dispatch queue of its own, never a thread of Swift's
/// cooperative pool, and cancelling the calling task aborts the transfer in flight.
///
/// One request at a time; later ones wait their turn on the queue.
public final class CurlClient: Sendable {
    public let settings: CurlSettings
    private let queue: DispatchQueue
    private let easy: EasyBox

    /// `label` names the queue (it shows in a debugger and in thread listings).
    public init(settings: CurlSettings, label: String = "edge-curl") throws(CurlError) {
        self.settings = settings
        queue = DispatchQueue(label: label)
        easy = EasyBox(try CurlEasy(settings: settings))
    }

    /// A conditional GET: with `ifNoneMatch`, an unchanged resource comes back as `.notModified`.
    public func get(_ url: String, ifNoneMatch etag: String? = nil, headers: [String] = []) async throws(CurlError) -> ConditionalGetResult {
        try await run(url) { easy, cancel throws(CurlError) in try easy.get(url, ifNoneMatch: etag, headers: headers, cancel: cancel) }
    }

    public func post(_ url: String, body: [UInt8], headers: [String] = []) async throws(CurlError) -> CurlResponse {
        try await run(url) { easy, cancel throws(CurlError) in try easy.post(url, body: body, headers: headers, cancel: cancel) }
    }

    public func delete(_ url: String, headers: [String] = []) async throws(CurlError) -> CurlResponse {
        try await run(url) { easy, cancel throws(CurlError) in try easy.delete(url, headers: headers, cancel: cancel) }
    }

    private func run<T: Sendable>(
        _ url: String, _ body: @escaping @Sendable (CurlEasy, CurlCancelFlag) throws(CurlError) -> T
    ) async throws(CurlError) -> T {
        let cancel = CurlCancelFlag()
        let easy = self.easy
        let queue = self.queue
        let result: Result<T, CurlError> = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                queue.async {
                    do throws(CurlError) {
                        continuation.resume(returning: .success(try body(easy.easy, cancel)))
                    } catch {
                        continuation.resume(returning: .failure(error))
                    }
                }
            }
        } onCancel: {
            cancel.set()
        }
        return try result.get()
    }
}

/// Safe: the handle is only ever used from `CurlClient.queue`, a serial queue (one transfer at a time).
private final class EasyBox: @unchecked Sendable {
    let easy: CurlEasy
    init(_ easy: CurlEasy) { self.easy = easy }
}
