#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// sd_notify(3) without libsystemd: one datagram per message to `$NOTIFY_SOCKET`, which may be a path
/// or, when it starts with '@', a name in the abstract namespace. A no-op when the variable is unset
/// (the agent run by hand, or with Type=simple).
public struct SystemdNotifier: Sendable {
    /// The socket named by `$NOTIFY_SOCKET`; nil when notifications are off.
    public let socketPath: String?
    /// `$WATCHDOG_USEC` (for this process, per `$WATCHDOG_PID`); nil when the watchdog is off.
    public let watchdogInterval: Duration?

    /// Reads `$NOTIFY_SOCKET`, `$WATCHDOG_USEC` and `$WATCHDOG_PID` from the environment.
    public init() {
        let usec = Self.environment("WATCHDOG_USEC").flatMap { UInt64($0) }
        let pid = Self.environment("WATCHDOG_PID").flatMap { Int32($0) }
        self.init(
            socketPath: Self.environment("NOTIFY_SOCKET"),
            watchdogUSec: pid == nil || pid == getpid() ? usec : nil)
    }

    /// A notifier for an explicit socket (tests, or a supervisor other than systemd).
    public init(socketPath: String?, watchdogUSec: UInt64? = nil) {
        self.socketPath = socketPath.flatMap { $0.isEmpty ? nil : $0 }
        self.watchdogInterval = watchdogUSec.flatMap { $0 == 0 ? nil : .microseconds($0) }
    }

    /// How often to send WATCHDOG=1: half the interval, as sd_watchdog_enabled(3) recommends.
    public var watchdogPingInterval: Duration? { watchdogInterval.map { $0 / 2 } }

    /// Start-up done: the cache is open and the first cycle may run.
    public func ready(status: String? = nil) throws(LocalOutputError) {
        try send(["READY=1"] + (status.map { ["STATUS=\($0)"] } ?? []))
    }

    /// The control loop is alive; send at least every `watchdogPingInterval`.
    public func watchdog() throws(LocalOutputError) { try send(["WATCHDOG=1"]) }

    /// A one-line status for `systemctl status`.
    public func status(_ text: String) throws(LocalOutputError) { try send(["STATUS=\(text)"]) }

    /// Graceful shutdown has begun.
    public func stopping() throws(LocalOutputError) { try send(["STOPPING=1"]) }

    /// Sends `assignments` as one datagram, one per line; does nothing without a socket.
    public func send(_ assignments: [String]) throws(LocalOutputError) {
        guard let socketPath else { return }
        // A newline inside a value would start a new assignment: flatten it.
        let message = assignments.map { $0.replacing("\n", with: " ") }.joined(separator: "\n")
        let address = try UnixDatagramAddress(socketPath)
        let fd = try POSIXCall.check("create a notify socket", path: socketPath) { socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0) }
        defer { close(fd) }
        let bytes = Array(message.utf8)
        // Never wait on the socket: a notify socket whose reader has stopped (a full queue) must not stall the
        // thread that writes the status and pings the watchdog; the failure is reported instead.
        try POSIXCall.check("send to the notify socket", path: socketPath) {
            address.withSockaddr { sockaddr, length in
                bytes.withUnsafeBytes {
                    sendto(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT), sockaddr, length)
                }
            }
        }
    }

    private static func environment(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 }
    }
}

/// An AF_UNIX address: a file path, or an abstract name when the text starts with '@'.
struct UnixDatagramAddress {
    private var storage = sockaddr_un()
    private let length: socklen_t

    init(_ text: String) throws(LocalOutputError) {
        var bytes = Array(text.utf8)
        let isAbstract = bytes.first == UInt8(ascii: "@")
        if isAbstract { bytes[0] = 0 }
        let capacity = MemoryLayout.size(ofValue: storage.sun_path)
        // A path needs its terminating NUL; an abstract name is exactly its bytes (unix(7)).
        guard bytes.count + (isAbstract ? 0 : 1) <= capacity else {
            throw .posix("use the socket address (longer than \(capacity - 1) bytes)", path: text, errno: ENAMETOOLONG)
        }
        storage.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &storage.sun_path) { $0.copyBytes(from: bytes) }
        let pathOffset = MemoryLayout<sockaddr_un>.offset(of: \.sun_path)!
        length = socklen_t(pathOffset + bytes.count + (isAbstract ? 0 : 1))
    }

    /// Calls `body` with the address as the socket calls take it.
    func withSockaddr<T>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> T) -> T {
        var copy = storage
        return withUnsafePointer(to: &copy) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, length) }
        }
    }
}
