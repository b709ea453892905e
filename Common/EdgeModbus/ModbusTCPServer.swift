internal import CModbus

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A Modbus TCP server for a `HoldingRegisterMap`, serving many clients from one poll() loop on its own thread
/// (the pattern of libmodbus tests/bandwidth-server-many-up.c). Requests are answered one at a time, so an
/// injected delay holds up every client, as a slow device would.
// @unchecked Sendable: settings go through the locked responder; `stopped` is guarded by `lock`.
public final class ModbusTCPServer: @unchecked Sendable {
    /// The registers served; read and write them while the server runs.
    public let registers: HoldingRegisterMap
    /// The IPv4 address listened on.
    public let host: String
    /// The bound TCP port (the ephemeral one when created with port 0).
    public let port: Int

    private let responder: ModbusResponder
    private let wake: WakePipe
    private let thread: ServerThread
    private let lock = MapLock()
    private var stopped = false

    /// Starts listening on `host:port` (port 0 picks a free port) and serving at once.
    public init(registers: HoldingRegisterMap, host: String = "127.0.0.1", port: Int = 0, backlog: Int = 16) throws {
        let context = RequestContext(endpoint: "tcp server \(host):\(port)")
        guard (0...65535).contains(port) else { throw ModbusError.invalidArgument("port \(port) not in 0...65535", context: context.text) }
        let ctx = try ModbusContext.tcpListener(address: host, port: port, context: context)
        let listenFD = try ctx.withUnsafeContextPointer { ctx in
            try modbusCall("modbus_tcp_listen", context) { modbus_tcp_listen(ctx, Int32(backlog)) }
        }
        var address = sockaddr_in()
        var size = socklen_t(MemoryLayout<sockaddr_in>.size)
        do {
            _ = try withUnsafeMutablePointer(to: &address) { pointer in
                try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                    try posixCall("getsockname", context) { getsockname(listenFD, raw, &size) }
                }
            }
        } catch {
            close(listenFD)
            throw error
        }
        self.registers = registers
        self.host = host
        self.port = Int(UInt16(bigEndian: address.sin_port))
        let responder = ModbusResponder(registers: registers)
        let wake = try WakePipe()
        let loop = TCPServeLoop(ctx: ctx, listenFD: listenFD, wake: wake, responder: responder)
        self.responder = responder
        self.wake = wake
        self.thread = try ServerThread { loop.run() }
    }

    deinit {
        stop()
    }

    /// Seconds to wait before each reply (fault injection for timeout tests).
    public var responseDelayS: Double {
        get { responder.responseDelayS }
        set { responder.responseDelayS = newValue }
    }

    /// When false, requests are read and silently dropped, like a hung device.
    public var isResponding: Bool {
        get { responder.isResponding }
        set { responder.isResponding = newValue }
    }

    /// Called on the server thread after replying to each successful register write, before the next request is handled.
    public var onWrite: RegisterWriteHook? {
        get { responder.onWrite }
        set { responder.onWrite = newValue }
    }

    /// Stops serving, closes every connection and the listening socket, and joins the thread. Idempotent.
    public func stop() {
        let first = lock.withLock {
            defer { stopped = true }
            return !stopped
        }
        guard first else { return }
        wake.wake()
        thread.join()
    }
}

/// The serve loop; after init only the server thread touches it.
// @unchecked Sendable: handed once to the server thread, which alone uses ctx and the descriptors.
final class TCPServeLoop: @unchecked Sendable {
    private let ctx: ModbusContext
    private let listenFD: Int32
    private let wake: WakePipe
    private let responder: ModbusResponder

    init(ctx: ModbusContext, listenFD: Int32, wake: WakePipe, responder: ModbusResponder) {
        self.ctx = ctx
        self.listenFD = listenFD
        self.wake = wake
        self.responder = responder
    }

    func run() {
        var clients: [Int32] = []
        var query = [UInt8](repeating: 0, count: Int(MODBUS_TCP_MAX_ADU_LENGTH))
        defer {
            for fd in clients { close(fd) }
            close(listenFD)
            // The descriptors are closed above; keep libmodbus from touching them again.
            ctx.withUnsafeContextPointer { _ = modbus_set_socket($0, -1) }
        }
        serving: while true {
            var fds = [pollfd(fd: wake.readFD, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: listenFD, events: Int16(POLLIN), revents: 0)]
            fds += clients.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            let ready = poll(&fds, nfds_t(fds.count), -1)
            if ready == -1 {
                if errno == EINTR { continue }
                break serving
            }
            if fds[0].revents != 0 { break serving }
            if fds[1].revents & Int16(POLLIN) != 0 {
                // Plain accept(): modbus_tcp_accept closes the listening socket when accept fails.
                let fd = accept(listenFD, nil, nil)
                if fd >= 0 {
                    _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
                    clients.append(fd)
                }
            }
            var closed: Set<Int32> = []
            for entry in fds.dropFirst(2) where entry.revents != 0 {
                let outcome = ctx.withUnsafeContextPointer { ctx -> ModbusResponder.Outcome? in
                    modbus_set_socket(ctx, entry.fd)
                    let length = modbus_receive(ctx, &query)
                    // -1: the client left or sent garbage; 0: a request to ignore.
                    guard length > 0 else { return length == 0 ? .dropped : nil }
                    return query.withUnsafeBufferPointer { buffer in
                        responder.respond(ctx: ctx, query: buffer.baseAddress!, length: length) { wake.pause(seconds: $0) }
                    }
                }
                switch outcome {
                case .stopping: break serving
                case nil, .sendFailed: closed.insert(entry.fd)
                case .replied, .dropped: break
                }
            }
            for fd in closed { close(fd) }
            clients.removeAll { closed.contains($0) }
        }
    }
}
