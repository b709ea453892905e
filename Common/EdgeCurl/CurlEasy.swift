import CCurl
import Synchronization

/// One libcurl easy handle: blocking GET, POST and DELETE over HTTPS with mutual TLS. Connections are kept and reused
/// between requests (`curl_easy_reset` keeps the connection and TLS session caches).
///
/// Not Sendable: a handle must never be used by two threads at once (libcurl-thread(3)). `CurlClient` runs one
/// on a thread of its own for async callers.
public final class CurlEasy {
    public let settings: CurlSettings
    private let handle: UnsafeMutableRawPointer
    /// CURLOPT_ERRORBUFFER: libcurl writes the detailed message here during perform.
    private let errorBuffer: UnsafeMutablePointer<CChar>

    /// `curl_global_init` once per process, before the first handle (it is not thread-safe itself).
    private static let globalInit: CURLcode = curl_global_init(Int(CURL_GLOBAL_DEFAULT))

    public init(settings: CurlSettings) throws(CurlError) {
        let code = Self.globalInit
        guard code == CURLE_OK else { throw .setup("curl_global_init failed: \(String(cString: curl_easy_strerror(code)))") }
        guard let easy = curl_easy_init() else { throw .setup("curl_easy_init returned NULL") }
        self.settings = settings
        handle = easy
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
    }

    deinit {
        curl_easy_cleanup(handle)
        errorBuffer.deallocate()
    }

    /// GET `url`. With `ifNoneMatch` (an entity tag from an earlier response), a 304 comes back as `.notModified`.
    public func get(
        _ url: String, ifNoneMatch etag: String? = nil, headers: [String] = [], cancel: CurlCancelFlag? = nil
    ) throws(CurlError) -> ConditionalGetResult {
        var lines = headers
        if let etag {
            // An entity tag is a quoted string (RFC 9110 §8.8.3): a line break in it would forge a header.
            guard !etag.isEmpty, etag.utf8.allSatisfy({ $0 >= 0x20 && $0 != 0x7F }) else {
                throw .setup("the entity tag \(etag.debugDescription) is not a valid If-None-Match value", url: url)
            }
            lines.append("If-None-Match: \(etag)")
        }
        let response = try perform(url, headers: lines, cancel: cancel) { easy throws(CurlError) in
            try check(edge_curl_setopt_long(easy, CURLOPT_HTTPGET, 1), "CURLOPT_HTTPGET", url)
        }
        return response.status == 304 ? .notModified(response) : .response(response)
    }

    /// POST `body` to `url` with the given header lines (`Content-Type: …`).
    public func post(_ url: String, body: [UInt8], headers: [String] = [], cancel: CurlCancelFlag? = nil) throws(CurlError) -> CurlResponse {
        // "Expect:" turns off 100-continue: one round trip fewer, and the servers here never refuse a body early.
        try perform(url, headers: headers + ["Expect:"], cancel: cancel) { easy throws(CurlError) in
            try check(edge_curl_setopt_long(easy, CURLOPT_POST, 1), "CURLOPT_POST", url)
            try check(edge_curl_setopt_off_t(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count)), "CURLOPT_POSTFIELDSIZE_LARGE", url)
            // COPYPOSTFIELDS copies the bytes, so no Swift buffer has to outlive this call.
            // An empty body still needs a valid pointer; the size (0) is what libcurl reads.
            let copied = body.withUnsafeBytes { bytes in
                edge_curl_setopt_pointer(easy, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: bytes.baseAddress ?? UnsafeRawPointer(errorBuffer)))
            }
            try check(copied, "CURLOPT_COPYPOSTFIELDS", url)
        }
    }

    /// DELETE `url` (no body).
    public func delete(_ url: String, headers: [String] = [], cancel: CurlCancelFlag? = nil) throws(CurlError) -> CurlResponse {
        try perform(url, headers: headers, cancel: cancel) { easy throws(CurlError) in
            try check(edge_curl_setopt_long(easy, CURLOPT_HTTPGET, 1), "CURLOPT_HTTPGET", url)
            try check(edge_curl_setopt_string(easy, CURLOPT_CUSTOMREQUEST, "DELETE"), "CURLOPT_CUSTOMREQUEST", url)
        }
    }

    /// Resets the handle, sets the common options and the method's own, performs, and collects the response.
    private func perform(
        _ url: String, headers: [String], cancel: CurlCancelFlag?, method: (UnsafeMutableRawPointer) throws(CurlError) -> Void
    ) throws(CurlError) -> CurlResponse {
        if cancel?.isSet == true { throw .cancelled(url: url) }
        // Checked before every request: a key opened up after the start is refused from then on.
        if let keyPath = settings.tls?.keyPath, let exposure = MutualTLSFiles.exposure(ofKeyFile: keyPath) {
            throw .keyExposed(exposure, url: url)
        }
        guard headers.allSatisfy({ !$0.utf8.contains(0x0A) && !$0.utf8.contains(0x0D) }) else {
            throw .setup("a header line contains a line break", url: url)
        }
        var list: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(list) }
        for line in headers { list = curl_slist_append(list, line) }
        let sink = ResponseSink(cap: settings.maxResponseBytes)
        let flag = cancel ?? CurlCancelFlag()
        curl_easy_reset(handle)
        try configure(url, headers: list, sink: sink, cancel: flag)
        try method(handle)
        errorBuffer[0] = 0
        let code = withExtendedLifetime((sink, flag)) { curl_easy_perform(handle) }
        guard code == CURLE_OK else {
            let text = String(cString: curl_easy_strerror(code))
            let detail = String(cString: errorBuffer)
            throw .transfer(code, detail.isEmpty ? text : "\(text): \(detail)", url: url)
        }
        var status = 0
        _ = edge_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return CurlResponse(status: status, body: sink.bytes, bodyTruncated: sink.truncated, headers: responseHeaders())
    }

    /// The options every request shares: URL, protocols, timeouts, TLS, the body sink and the cancel check.
    private func configure(_ url: String, headers: UnsafeMutablePointer<curl_slist>?, sink: ResponseSink, cancel: CurlCancelFlag) throws(CurlError) {
        let easy = handle
        try check(edge_curl_setopt_string(easy, CURLOPT_URL, url), "CURLOPT_URL", url)
        try check(edge_curl_setopt_string(easy, CURLOPT_PROTOCOLS_STR, "https,http"), "CURLOPT_PROTOCOLS_STR", url)
        try check(edge_curl_setopt_long(easy, CURLOPT_NOSIGNAL, 1), "CURLOPT_NOSIGNAL", url)
        try check(edge_curl_setopt_pointer(easy, CURLOPT_ERRORBUFFER, errorBuffer), "CURLOPT_ERRORBUFFER", url)
        try check(edge_curl_setopt_slist(easy, CURLOPT_HTTPHEADER, headers), "CURLOPT_HTTPHEADER", url)
        try check(edge_curl_setopt_long(easy, CURLOPT_CONNECTTIMEOUT_MS, Int(settings.connectTimeoutS * 1000)), "CURLOPT_CONNECTTIMEOUT_MS", url)
        try check(edge_curl_setopt_long(easy, CURLOPT_TIMEOUT_MS, Int(settings.totalTimeoutS * 1000)), "CURLOPT_TIMEOUT_MS", url)
        try check(edge_curl_setopt_long(easy, CURLOPT_FOLLOWLOCATION, 0), "CURLOPT_FOLLOWLOCATION", url)
        try check(edge_curl_setopt_long(easy, CURLOPT_SSL_VERIFYPEER, 1), "CURLOPT_SSL_VERIFYPEER", url)
        try check(edge_curl_setopt_long(easy, CURLOPT_SSL_VERIFYHOST, 2), "CURLOPT_SSL_VERIFYHOST", url)
        try check(edge_curl_setopt_long(easy, CURLOPT_SSLVERSION, Int(CURL_SSLVERSION_TLSv1_2)), "CURLOPT_SSLVERSION", url)
        if let tls = settings.tls {
            try check(edge_curl_setopt_string(easy, CURLOPT_CAINFO, tls.caPath), "CURLOPT_CAINFO", url)
            // Pinning: without this, libcurl would also trust the system's CA directory (Debian builds set one).
            try check(edge_curl_setopt_string(easy, CURLOPT_CAPATH, nil), "CURLOPT_CAPATH", url)
            try check(edge_curl_setopt_string(easy, CURLOPT_SSLCERT, tls.certificatePath), "CURLOPT_SSLCERT", url)
            try check(edge_curl_setopt_string(easy, CURLOPT_SSLKEY, tls.keyPath), "CURLOPT_SSLKEY", url)
        }
        try check(edge_curl_setopt_write_function(easy) { data, size, count, context in
            guard let context else { return 0 }
            Unmanaged<ResponseSink>.fromOpaque(context).takeUnretainedValue().append(UnsafeRawBufferPointer(start: data, count: size * count))
            return size * count
        }, "CURLOPT_WRITEFUNCTION", url)
        try check(edge_curl_setopt_pointer(easy, CURLOPT_WRITEDATA, Unmanaged.passUnretained(sink).toOpaque()), "CURLOPT_WRITEDATA", url)
        try check(edge_curl_setopt_long(easy, CURLOPT_NOPROGRESS, 0), "CURLOPT_NOPROGRESS", url)
        try check(edge_curl_setopt_xferinfo_function(easy) { context, _, _, _, _ in
            guard let context else { return 0 }
            return Unmanaged<CurlCancelFlag>.fromOpaque(context).takeUnretainedValue().isSet ? 1 : 0
        }, "CURLOPT_XFERINFOFUNCTION", url)
        try check(edge_curl_setopt_pointer(easy, CURLOPT_XFERINFODATA, Unmanaged.passUnretained(cancel).toOpaque()), "CURLOPT_XFERINFODATA", url)
    }

    /// The last response's header fields, through curl_easy_nextheader (libcurl ≥ 7.84).
    private func responseHeaders() -> [(name: String, value: String)] {
        var fields: [(name: String, value: String)] = []
        var previous: UnsafeMutablePointer<curl_header>?
        while let header = curl_easy_nextheader(handle, UInt32(CURLH_HEADER), -1, previous) {
            fields.append((String(cString: header.pointee.name), String(cString: header.pointee.value)))
            previous = header
        }
        return fields
    }

    /// The one checked helper for curl_easy_setopt.
    private func check(_ code: CURLcode, _ option: String, _ url: String, file: String = #fileID, line: Int = #line) throws(CurlError) {
        guard code == CURLE_OK else {
            throw .setup("\(option): \(String(cString: curl_easy_strerror(code)))", url: url, file: file, line: line)
        }
    }
}

@available(*, unavailable, message: "a libcurl easy handle must not be shared between threads")
extension CurlEasy: Sendable {}

/// Collects the response body up to a cap; the rest is read and dropped so the connection stays usable.
final class ResponseSink {
    let cap: Int
    private(set) var bytes: [UInt8] = []
    private(set) var truncated = false

    init(cap: Int) { self.cap = max(0, cap) }

    func append(_ chunk: UnsafeRawBufferPointer) {
        let room = cap - bytes.count
        if chunk.count > room { truncated = true }
        bytes.append(contentsOf: chunk.prefix(max(0, room)))
    }
}

/// Set from any thread to abort a transfer in flight (libcurl checks it in its progress callback).
public final class CurlCancelFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    public init() {}
    public var isSet: Bool { flag.load(ordering: .relaxed) }
    public func set() { flag.store(true, ordering: .relaxed) }
}
