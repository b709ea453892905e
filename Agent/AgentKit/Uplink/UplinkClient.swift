import CCurl
import Synchronization

/// One libcurl easy handle posting frames over HTTPS with mutual TLS; blocking, so it runs on `UplinkWorker`'s thread.
///
/// Not Sendable on purpose: a CURL handle must not be used by two threads at once (libcurl "thread safety").
public final class UplinkClient {
    public let settings: UplinkSettings
    private let handle: OpaquePointer
    /// CURLOPT_ERRORBUFFER: libcurl writes the detailed message here during perform.
    private let errorBuffer: UnsafeMutablePointer<CChar>
    /// Set from another thread to abort the transfer in flight (checked by the progress callback).
    public let cancelFlag = CancelFlag()

    /// `curl_global_init` once per process, before the first handle (it is not thread-safe itself).
    private static let globalInit: CURLcode = curl_global_init(Int(CURL_GLOBAL_DEFAULT))

    public init(settings: UplinkSettings) throws(UplinkError) {
        let code = Self.globalInit
        guard code == CURLE_OK else { throw .setup("curl_global_init failed: \(String(cString: curl_easy_strerror(code)))") }
        guard let easy = curl_easy_init() else { throw .setup("curl_easy_init returned NULL") }
        self.settings = settings
        handle = OpaquePointer(easy)
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
    }

    deinit {
        curl_easy_cleanup(UnsafeMutableRawPointer(handle))
        errorBuffer.deallocate()
    }

    /// Posts one frame and classifies the answer; nothing here touches the queue.
    public func post(frame: [UInt8], sequence: UInt64) -> UplinkResult {
        guard frame.count <= settings.maxFrameBytes else {
            return .permanent(UplinkFailure(
                label: "frame_too_large", message: "frame \(sequence) is \(frame.count) bytes, the limit is \(settings.maxFrameBytes)"))
        }
        let sink = ResponseSink(cap: settings.maxResponseBytes)
        var headers: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(headers) }
        do {
            for line in ["Content-Type: application/vnd.v2g.telemetry-frame", "X-V2G-Sequence: \(sequence)", "Expect:"] {
                headers = curl_slist_append(headers, line)
            }
            try configure(frame: frame, headers: headers, sink: sink)
        } catch {
            return .retryable(UplinkFailure(label: error.label, message: error.message))
        }
        errorBuffer[0] = 0
        let code = withExtendedLifetime(sink) { curl_easy_perform(UnsafeMutableRawPointer(handle)) }
        guard code == CURLE_OK else { return .retryable(Self.failure(code, detail: String(cString: errorBuffer))) }
        var status = 0
        _ = edge_curl_getinfo_long(UnsafeMutableRawPointer(handle), CURLINFO_RESPONSE_CODE, &status)
        return UplinkClassifier.classify(status: status, body: sink.bytes, sequence: sequence)
    }

    /// Sets every option for one POST (the handle is reset first, keeping its connection cache).
    private func configure(frame: [UInt8], headers: UnsafeMutablePointer<curl_slist>?, sink: ResponseSink) throws(UplinkError) {
        let easy = UnsafeMutableRawPointer(handle)
        curl_easy_reset(easy)
        try check(edge_curl_setopt_string(easy, CURLOPT_URL, settings.telemetryURL), "CURLOPT_URL")
        try check(edge_curl_setopt_long(easy, CURLOPT_NOSIGNAL, 1), "CURLOPT_NOSIGNAL")
        try check(edge_curl_setopt_pointer(easy, CURLOPT_ERRORBUFFER, errorBuffer), "CURLOPT_ERRORBUFFER")
        try check(edge_curl_setopt_long(easy, CURLOPT_POST, 1), "CURLOPT_POST")
        try check(edge_curl_setopt_off_t(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(frame.count)), "CURLOPT_POSTFIELDSIZE_LARGE")
        // COPYPOSTFIELDS copies the bytes, so no Swift buffer has to outlive this call.
        let copied = frame.withUnsafeBytes { bytes in
            edge_curl_setopt_pointer(easy, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: bytes.baseAddress ?? UnsafeRawPointer(errorBuffer)))
        }
        try check(copied, "CURLOPT_COPYPOSTFIELDS")
        try check(edge_curl_setopt_slist(easy, CURLOPT_HTTPHEADER, headers), "CURLOPT_HTTPHEADER")
        try check(edge_curl_setopt_long(easy, CURLOPT_CONNECTTIMEOUT_MS, Int(settings.connectTimeoutS * 1000)), "CURLOPT_CONNECTTIMEOUT_MS")
        try check(edge_curl_setopt_long(easy, CURLOPT_TIMEOUT_MS, Int(settings.totalTimeoutS * 1000)), "CURLOPT_TIMEOUT_MS")
        try check(edge_curl_setopt_long(easy, CURLOPT_FOLLOWLOCATION, 0), "CURLOPT_FOLLOWLOCATION")
        try check(edge_curl_setopt_long(easy, CURLOPT_SSL_VERIFYPEER, 1), "CURLOPT_SSL_VERIFYPEER")
        try check(edge_curl_setopt_long(easy, CURLOPT_SSL_VERIFYHOST, 2), "CURLOPT_SSL_VERIFYHOST")
        try check(edge_curl_setopt_long(easy, CURLOPT_SSLVERSION, Int(CURL_SSLVERSION_TLSv1_2)), "CURLOPT_SSLVERSION")
        if let tls = settings.tls {
            try check(edge_curl_setopt_string(easy, CURLOPT_CAINFO, tls.caPath), "CURLOPT_CAINFO")
            try check(edge_curl_setopt_string(easy, CURLOPT_SSLCERT, tls.certificatePath), "CURLOPT_SSLCERT")
            try check(edge_curl_setopt_string(easy, CURLOPT_SSLKEY, tls.keyPath), "CURLOPT_SSLKEY")
        }
        let context = Unmanaged.passUnretained(sink).toOpaque()
        try check(edge_curl_setopt_write_function(easy) { data, size, count, context in
            guard let context else { return 0 }
            let sink = Unmanaged<ResponseSink>.fromOpaque(context).takeUnretainedValue()
            sink.append(UnsafeRawBufferPointer(start: data, count: size * count))
            return size * count
        }, "CURLOPT_WRITEFUNCTION")
        try check(edge_curl_setopt_pointer(easy, CURLOPT_WRITEDATA, context), "CURLOPT_WRITEDATA")
        try check(edge_curl_setopt_long(easy, CURLOPT_NOPROGRESS, 0), "CURLOPT_NOPROGRESS")
        try check(edge_curl_setopt_xferinfo_function(easy) { context, _, _, _, _ in
            guard let context else { return 0 }
            return Unmanaged<CancelFlag>.fromOpaque(context).takeUnretainedValue().isSet ? 1 : 0
        }, "CURLOPT_XFERINFOFUNCTION")
        try check(edge_curl_setopt_pointer(easy, CURLOPT_XFERINFODATA, Unmanaged.passUnretained(cancelFlag).toOpaque()), "CURLOPT_XFERINFODATA")
    }

    /// The one checked helper for curl_easy_setopt.
    private func check(_ code: CURLcode, _ option: String, file: String = #fileID, line: Int = #line) throws(UplinkError) {
        guard code == CURLE_OK else {
            throw .setup("\(option): \(String(cString: curl_easy_strerror(code)))", file: file, line: line)
        }
    }

    /// A transfer error: every one is retryable (a certificate may be renewed, a network comes back).
    static func failure(_ code: CURLcode, detail: String) -> UplinkFailure {
        let label: String
        switch code {
        case CURLE_OPERATION_TIMEDOUT: label = "network_timeout"
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY: label = "network_connect"
        case CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE: label = "tls_peer_verification"
        case CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER: label = "tls_client_certificate"
        case CURLE_SSL_CONNECT_ERROR: label = "tls_handshake"
        case CURLE_ABORTED_BY_CALLBACK: label = "cancelled"
        default: label = "network_error"
        }
        let text = String(cString: curl_easy_strerror(code))
        return UplinkFailure(label: label, message: detail.isEmpty ? text : "\(text): \(detail)")
    }
}

/// Collects the response body up to a cap; the rest is read and dropped so the connection stays usable.
final class ResponseSink {
    let cap: Int
    private(set) var bytes: [UInt8] = []
    init(cap: Int) { self.cap = cap }

    func append(_ chunk: UnsafeRawBufferPointer) {
        let room = max(0, cap - bytes.count)
        bytes.append(contentsOf: chunk.prefix(room))
    }
}

/// A flag another thread sets to abort the transfer in flight.
public final class CancelFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    public init() {}
    public var isSet: Bool { flag.load(ordering: .relaxed) }
    public func set(_ value: Bool) { flag.store(value, ordering: .relaxed) }
}
