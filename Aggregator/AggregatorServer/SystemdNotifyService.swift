import Hummingbird
public import Logging
public import NIOCore
public import ServiceLifecycle

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// systemd's side of `Type=notify` with `WatchdogSec=`: READY=1 once the listener is bound, WATCHDOG=1 at half the
/// watchdog interval while every event loop still runs a task, STOPPING=1 when a graceful stop begins.
///
/// sd_notify(3) without libsystemd: one datagram to `$NOTIFY_SOCKET`. Without that variable (run by hand, tests)
/// it only waits for the shutdown. A blocked event loop stops the pings, so systemd restarts a server that accepts
/// connections but can no longer answer them.
public struct SystemdNotifyService: Service {
    private let socketPath: String?
    private let pingInterval: Duration?
    private let eventLoops: any EventLoopGroup
    private let logger: Logger

    /// Reads `$NOTIFY_SOCKET`, `$WATCHDOG_USEC` and `$WATCHDOG_PID`; `eventLoops` are the server's (nil: Hummingbird's
    /// default group, the one `AggregatorApplication` runs on).
    public init(logger: Logger, eventLoops: (any EventLoopGroup)? = nil) {
        func variable(_ name: String) -> String? { getenv(name).map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } }
        let watchdogPID = variable("WATCHDOG_PID").flatMap { Int32($0) }
        let watchdogUSec = variable("WATCHDOG_USEC").flatMap { UInt64($0) }.flatMap { $0 == 0 ? nil : $0 }
        socketPath = variable("NOTIFY_SOCKET")
        // The interval is for this process only when WATCHDOG_PID names it (or is absent); sd_watchdog_enabled(3).
        pingInterval = watchdogPID == nil || watchdogPID == getpid() ? watchdogUSec.map { .microseconds($0) / 2 } : nil
        self.eventLoops = eventLoops ?? EventLoopGroupProvider.singleton.eventLoopGroup
        self.logger = logger
    }

    /// Hand to `onServerRunning`: the listener is bound, agents can connect.
    public func serverRunning(_ channel: any Channel) async {
        send("READY=1\nSTATUS=listening on \(channel.localAddress.map { "\($0)" } ?? "its socket")")
    }

    public func run() async throws {
        guard socketPath != nil, let pingInterval else {
            try? await gracefulShutdown()
            if socketPath != nil { send("STOPPING=1") }
            return
        }
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                // Each loop must run a no-op first: a loop stuck in a blocking call never answers, and the pings stop.
                for loop in eventLoops.makeIterator() { try await loop.submit {}.get() }
                send("WATCHDOG=1")
                try await Task.sleep(for: pingInterval)
            }
        }
        send("STOPPING=1")
    }

    /// One datagram, never waiting: a notify socket nobody reads must not stall the server. Failures are logged.
    private func send(_ message: String) {
        guard let socketPath else { return }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var path = Array(socketPath.utf8)
        // '@' names the abstract namespace: a leading NUL, and no terminating one in the length (unix(7)).
        let abstract = path.first == UInt8(ascii: "@")
        if abstract { path[0] = 0 }
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard path.count < capacity else {
            logger.warning("NOTIFY_SOCKET is too long for a socket address", metadata: ["notify.socket": "\(socketPath)"])
            return
        }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: path) }
        let length = socklen_t(MemoryLayout<sockaddr_un>.offset(of: \.sun_path)! + path.count + (abstract ? 0 : 1))
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else {
            logger.warning("sd_notify: no socket", metadata: ["errno": "\(errno)"])
            return
        }
        defer { close(fd) }
        let sent = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                Array(message.utf8).withUnsafeBytes {
                    sendto(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT), socketAddress, length)
                }
            }
        }
        if sent < 0 {
            logger.warning("sd_notify failed", metadata: ["notify.socket": "\(socketPath)", "errno": "\(errno)"])
        }
    }
}
