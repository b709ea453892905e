internal import CModbus

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A Modbus RTU server for one unit of a `HoldingRegisterMap` on a serial device (or a pty), on its own thread.
/// libmodbus filters RTU frames by one slave id per context, so one server answers one unit; after a request
/// for another unit it ignores the next frame as that unit's reply, as on a real multi-drop line.
// @unchecked Sendable: settings go through the locked responder; `stopped` is guarded by `lock`.
public final class ModbusRTUServer: @unchecked Sendable {
    /// The registers served.
    public let registers: HoldingRegisterMap
    /// The unit id this server answers for.
    public let unitID: UInt8
    /// The serial device.
    public let device: String

    private let responder: ModbusResponder
    private let wake: WakePipe
    private let thread: ServerThread
    private let lock = MapLock()
    private var stopped = false

    /// Opens `device` and starts serving `unitID`, which must be a unit of `registers`.
    public init(registers: HoldingRegisterMap, unitID: UInt8, device: String, baud: Int,
                parity: SerialParity, dataBits: Int, stopBits: Int) throws {
        let line = SerialLine(device: device, baud: baud, parity: parity, dataBits: dataBits, stopBits: stopBits)
        let context = RequestContext(endpoint: "rtu server \(device)", unit: unitID)
        try line.validate(context)
        guard registers.block(unit: unitID) != nil else {
            throw ModbusError.invalidArgument("unit id \(unitID) has no register block", context: context.text)
        }
        let ctx = try ModbusContext.rtu(line, context: context)
        try ctx.withUnsafeContextPointer { ctx in
            try modbusCall("modbus_set_slave", context) { modbus_set_slave(ctx, Int32(unitID)) }
            try modbusCall("modbus_connect", context) { modbus_connect(ctx) }
        }
        self.registers = registers
        self.unitID = unitID
        self.device = device
        let responder = ModbusResponder(registers: registers)
        let wake = try WakePipe()
        let loop = RTUServeLoop(ctx: ctx, wake: wake, responder: responder)
        self.responder = responder
        self.wake = wake
        do {
            self.thread = try ServerThread { loop.run() }
        } catch {
            ctx.withUnsafeContextPointer { modbus_close($0) }
            throw error
        }
    }

    deinit {
        stop()
    }

    /// Seconds to wait before each reply (fault injection).
    public var responseDelayS: Double {
        get { responder.responseDelayS }
        set { responder.responseDelayS = newValue }
    }

    /// When false, requests are read and silently dropped.
    public var isResponding: Bool {
        get { responder.isResponding }
        set { responder.isResponding = newValue }
    }

    /// Called on the server thread after replying to each successful register write, before the next request is handled.
    public var onWrite: RegisterWriteHook? {
        get { responder.onWrite }
        set { responder.onWrite = newValue }
    }

    /// Stops serving, closes the device and joins the thread. Idempotent.
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

/// The RTU serve loop.
// @unchecked Sendable: handed once to the server thread, which alone uses ctx.
final class RTUServeLoop: @unchecked Sendable {
    private let ctx: ModbusContext
    private let wake: WakePipe
    private let responder: ModbusResponder

    init(ctx: ModbusContext, wake: WakePipe, responder: ModbusResponder) {
        self.ctx = ctx
        self.wake = wake
        self.responder = responder
    }

    func run() {
        var query = [UInt8](repeating: 0, count: Int(MODBUS_RTU_MAX_ADU_LENGTH))
        let fd = ctx.withUnsafeContextPointer { modbus_get_socket($0) }
        defer { ctx.withUnsafeContextPointer { modbus_close($0) } }
        while true {
            var fds = [pollfd(fd: wake.readFD, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: fd, events: Int16(POLLIN), revents: 0)]
            let ready = poll(&fds, 2, -1)
            if ready == -1 {
                if errno == EINTR { continue }
                return
            }
            if fds[0].revents != 0 { return }
            if fds[1].revents & Int16(POLLIN) == 0 {
                // Hang-up with nothing to read (the far end of a pty closed): back off instead of spinning.
                if !wake.pause(seconds: 0.05) { return }
                continue
            }
            let outcome = ctx.withUnsafeContextPointer { ctx -> ModbusResponder.Outcome in
                let length = modbus_receive(ctx, &query)
                guard length > 0 else {
                    // A bad CRC or a frame for another unit: drop what is buffered and wait for the next one.
                    if length == -1 { _ = modbus_flush(ctx) }
                    return .dropped
                }
                return query.withUnsafeBufferPointer { buffer in
                    responder.respond(ctx: ctx, query: buffer.baseAddress!, length: length) { wake.pause(seconds: $0) }
                }
            }
            if outcome == .stopping { return }
        }
    }
}
