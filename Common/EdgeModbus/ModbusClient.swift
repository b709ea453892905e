internal import CModbus
import Glibc

/// A Modbus TCP or RTU client over libmodbus, reading and writing holding registers.
///
/// Not Sendable: one client belongs to one task (a poller), as the libmodbus context is not thread-safe.
/// Calls block the calling thread for up to `responseTimeoutS` per request chunk.
/// Requests connect on demand; after a timeout or lost link the TCP socket is closed so a late
/// reply can never be taken for the answer to the next request (the next request reconnects).
public final class ModbusClient {
    /// Serial parity, for `rtu(...)`.
    public typealias Parity = SerialParity

    private let ctx: ModbusContext
    private let isTCP: Bool
    /// Where this client talks to: "tcp host:port" or "rtu /dev/ttyX 9600 8N1".
    public let endpoint: String
    /// The unit (slave) id put in each request; set with `setUnitID(_:)`.
    public private(set) var unitID: UInt8 = 1
    /// True between a successful `connect()` and `close()` or a lost link.
    public private(set) var isConnected = false

    /// How long to wait for each response, in seconds; clamped to 0.001...3600. Default 1 s.
    public var responseTimeoutS: Double = 1.0 {
        didSet {
            responseTimeoutS = min(max(responseTimeoutS.isFinite ? responseTimeoutS : 1.0, 0.001), 3600)
            applyResponseTimeout()
        }
    }

    private init(ctx: ModbusContext, isTCP: Bool, endpoint: String) throws {
        self.ctx = ctx
        self.isTCP = isTCP
        self.endpoint = endpoint
        applyResponseTimeout()
        try setUnitID(1)
    }

    deinit {
        close()
    }

    /// A Modbus TCP client for `host` (name or address) and `port` (usually 502).
    public static func tcp(host: String, port: Int) throws -> ModbusClient {
        let endpoint = "tcp \(host):\(port)"
        let context = RequestContext(endpoint: endpoint)
        guard (1...65535).contains(port) else { throw ModbusError.invalidArgument("port \(port) not in 1...65535", context: endpoint) }
        return try ModbusClient(ctx: ModbusContext.tcp(host: host, port: port, context: context), isTCP: true, endpoint: endpoint)
    }

    /// A Modbus RTU client on serial `device`, e.g. rtu(device: "/dev/ttyUSB0", baud: 9600, parity: .even, dataBits: 8, stopBits: 1).
    public static func rtu(device: String, baud: Int, parity: Parity, dataBits: Int, stopBits: Int) throws -> ModbusClient {
        let line = SerialLine(device: device, baud: baud, parity: parity, dataBits: dataBits, stopBits: stopBits)
        let endpoint = "rtu \(device) \(baud) \(dataBits)\(Character(Unicode.Scalar(UInt8(line.parity.letter))))\(stopBits)"
        let context = RequestContext(endpoint: endpoint)
        try line.validate(context)
        return try ModbusClient(ctx: ModbusContext.rtu(line, context: context), isTCP: false, endpoint: endpoint)
    }

    /// Sets the unit id: 1...247 address a device, 0 is broadcast; 255 is also allowed on TCP (MODBUS_TCP_SLAVE).
    public func setUnitID(_ id: UInt8) throws {
        let context = RequestContext(endpoint: endpoint, unit: id)
        guard id <= 247 || (isTCP && id == 255) else {
            throw ModbusError.invalidArgument("unit id \(id) not in 0...247\(isTCP ? " or 255" : "")", context: context.text)
        }
        try ctx.withUnsafeContextPointer { ctx in
            try modbusCall("modbus_set_slave", context) { modbus_set_slave(ctx, Int32(id)) }
        }
        unitID = id
    }

    /// Opens the TCP connection or the serial port; does nothing if already connected.
    public func connect() throws {
        guard !isConnected else { return }
        // libmodbus waits with select(), whose fd_set holds descriptors below FD_SETSIZE (1024) only, and glibc
        // aborts the whole process on a higher one. A new socket takes the lowest free descriptor: when even that is
        // too high, refuse here with an error rather than let a busy process crash.
        let probe = open("/dev/null", O_RDONLY)
        if probe >= 0 { _ = Glibc.close(probe) }
        guard probe < Self.selectableDescriptors else {
            throw ModbusError.failed(
                "modbus_connect", errno: EMFILE,
                context: "\(RequestContext(endpoint: endpoint, unit: unitID, operation: "connect").text): the next descriptor would be \(probe), libmodbus's select() takes only those below \(Self.selectableDescriptors)")
        }
        try ctx.withUnsafeContextPointer { ctx in
            try modbusCall("modbus_connect", RequestContext(endpoint: endpoint, unit: unitID, operation: "connect")) {
                modbus_connect(ctx)
            }
        }
        isConnected = true
    }

    /// FD_SETSIZE in glibc, less a margin for descriptors other threads open meanwhile.
    static let selectableDescriptors: Int32 = 1024 - 32

    /// Closes the link; the next request reconnects.
    public func close() {
        guard isConnected else { return }
        ctx.withUnsafeContextPointer { modbus_close($0) }
        isConnected = false
    }

    /// Reads `count` holding registers (function 0x03) from `address`, in requests of at most 125 registers.
    public func readHoldingRegisters(address: Int, count: Int) throws -> [UInt16] {
        try validate(operation: "read", address: address, count: count)
        let chunk = Int(MODBUS_MAX_READ_REGISTERS)
        var values = [UInt16](repeating: 0, count: count)
        var done = 0
        while done < count {
            let n = min(chunk, count - done)
            let context = RequestContext(endpoint: endpoint, unit: unitID, operation: "read", address: address + done, count: n)
            let got = try request(context) { ctx in
                values.withUnsafeMutableBufferPointer { modbus_read_registers(ctx, Int32(address + done), Int32(n), $0.baseAddress! + done) }
            }
            guard got == n else { throw ModbusError.shortResponse(got: Int(got), context: context.text) }
            done += n
        }
        return values
    }

    /// Writes `values` from `address` (function 0x10), in requests of at most 123 registers.
    public func writeRegisters(address: Int, values: [UInt16]) throws {
        try validate(operation: "write", address: address, count: values.count)
        let chunk = Int(MODBUS_MAX_WRITE_REGISTERS)
        var done = 0
        while done < values.count {
            let n = min(chunk, values.count - done)
            let context = RequestContext(endpoint: endpoint, unit: unitID, operation: "write", address: address + done, count: n)
            let wrote = try request(context) { ctx in
                values.withUnsafeBufferPointer { modbus_write_registers(ctx, Int32(address + done), Int32(n), $0.baseAddress! + done) }
            }
            guard wrote == n else { throw ModbusError.shortResponse(got: Int(wrote), context: context.text) }
            done += n
        }
    }

    /// Writes one register (function 0x06).
    public func writeRegister(address: Int, value: UInt16) throws {
        try validate(operation: "write", address: address, count: 1)
        let context = RequestContext(endpoint: endpoint, unit: unitID, operation: "write", address: address, count: 1)
        try request(context) { modbus_write_register($0, Int32(address), value) }
    }

    private func validate(operation: String, address: Int, count: Int) throws {
        let context = RequestContext(endpoint: endpoint, unit: unitID, operation: operation, address: address, count: count)
        guard (0...0xFFFF).contains(address) else { throw ModbusError.invalidArgument("address \(address) not in 0...65535", context: context.text) }
        guard count >= 1 else { throw ModbusError.invalidArgument("count \(count) must be at least 1", context: context.text) }
        guard address + count <= 0x10000 else {
            throw ModbusError.invalidArgument("address \(address) + count \(count) runs past 65535", context: context.text)
        }
    }

    /// Connects if needed, runs one libmodbus request, and resets the link after a failure that leaves it unusable.
    @discardableResult
    private func request(_ context: RequestContext, _ body: (OpaquePointer) -> Int32) throws -> Int32 {
        try connect()
        do {
            return try ctx.withUnsafeContextPointer { ctx in try modbusCall("request", context) { body(ctx) } }
        } catch let error as ModbusError {
            if error.isConnectionLost || (isTCP && error.exceptionCode == nil) {
                close()
            } else if error.exceptionCode == nil {
                // RTU: drop any late or garbled bytes so the next reply lines up.
                ctx.withUnsafeContextPointer { _ = modbus_flush($0) }
            }
            throw error
        }
    }

    private func applyResponseTimeout() {
        let whole = responseTimeoutS.rounded(.down)
        let micros = min(((responseTimeoutS - whole) * 1_000_000).rounded(), 999_999)
        // Only fails for both parts zero or micros > 999999, which the clamp above rules out.
        ctx.withUnsafeContextPointer { _ = modbus_set_response_timeout($0, UInt32(whole), UInt32(micros)) }
    }
}
