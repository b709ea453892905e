#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A self-pipe that wakes a poll() loop when the server stops.
// @unchecked Sendable: the descriptors are fixed at init; write/poll on them are thread-safe.
final class WakePipe: @unchecked Sendable {
    let readFD: Int32
    private let writeFD: Int32

    init() throws {
        var fds: [Int32] = [-1, -1]
        try posixCall("pipe", RequestContext(endpoint: "server")) { pipe(&fds) }
        readFD = fds[0]
        writeFD = fds[1]
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
    }

    deinit {
        close(readFD)
        close(writeFD)
    }

    /// Makes `readFD` readable for good.
    func wake() {
        var byte: UInt8 = 1
        while write(writeFD, &byte, 1) == -1 && errno == EINTR {}
    }

    /// Sleeps up to `seconds`; returns false if woken (stopping) instead.
    func pause(seconds: Double) -> Bool {
        var fd = pollfd(fd: readFD, events: Int16(POLLIN), revents: 0)
        let rc = poll(&fd, 1, Int32(min(seconds * 1000, Double(Int32.max)).rounded(.up)))
        return rc == 0 || (rc == -1 && fd.revents == 0)
    }
}

/// One pthread running a serve loop; `join()` waits for it to return.
final class ServerThread {
    private final class Body {
        let run: @Sendable () -> Void
        init(_ run: @escaping @Sendable () -> Void) { self.run = run }
    }

    private var thread = pthread_t()

    init(_ run: @escaping @Sendable () -> Void) throws {
        let box = Unmanaged.passRetained(Body(run)).toOpaque()
        let rc = pthread_create(&thread, nil, { raw in
            Unmanaged<Body>.fromOpaque(raw!).takeRetainedValue().run()
            return nil
        }, box)
        guard rc == 0 else {
            Unmanaged<Body>.fromOpaque(box).release()
            throw ModbusError.failed("pthread_create", errno: rc, context: "server")
        }
    }

    func join() {
        pthread_join(thread, nil)
    }
}
