internal import CModbus

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Owns one libmodbus `modbus_t` and frees it in `deinit`. Closing the link is the owner's job.
final class ModbusContext {
    private let ctx: OpaquePointer

    /// Takes ownership of `ctx`.
    init(taking ctx: OpaquePointer) {
        self.ctx = ctx
    }

    deinit {
        modbus_free(ctx)
    }

    @discardableResult
    func withUnsafeContextPointer<R>(_ body: (OpaquePointer) throws -> R) rethrows -> R {
        try withExtendedLifetime(self) { try body(ctx) }
    }

    /// A TCP client context; `host` may be a name or an address (modbus_new_tcp_pi resolves it).
    static func tcp(host: String, port: Int, context: RequestContext) throws -> ModbusContext {
        ModbusContext(taking: try modbusCall("modbus_new_tcp_pi", context) { modbus_new_tcp_pi(host, String(port)) })
    }

    /// A TCP server context bound to IPv4 `address` (modbus_tcp_listen takes a dotted quad).
    static func tcpListener(address: String, port: Int, context: RequestContext) throws -> ModbusContext {
        ModbusContext(taking: try modbusCall("modbus_new_tcp", context) { modbus_new_tcp(address, Int32(port)) })
    }

    /// A serial RTU context.
    static func rtu(_ line: SerialLine, context: RequestContext) throws -> ModbusContext {
        ModbusContext(taking: try modbusCall("modbus_new_rtu", context) {
            modbus_new_rtu(line.device, Int32(line.baud), line.parity.letter, Int32(line.dataBits), Int32(line.stopBits))
        })
    }
}

/// Serial framing of an RTU line.
public enum SerialParity: Sendable, Hashable {
    case none, even, odd

    var letter: CChar {
        switch self {
        case .none: CChar(UInt8(ascii: "N"))
        case .even: CChar(UInt8(ascii: "E"))
        case .odd: CChar(UInt8(ascii: "O"))
        }
    }
}

/// A serial device and its framing, validated.
struct SerialLine {
    var device: String
    var baud: Int
    var parity: SerialParity
    var dataBits: Int
    var stopBits: Int

    func validate(_ context: RequestContext) throws {
        guard baud > 0 else { throw ModbusError.invalidArgument("baud \(baud) must be positive", context: context.text) }
        guard (5...8).contains(dataBits) else { throw ModbusError.invalidArgument("data bits \(dataBits) not in 5...8", context: context.text) }
        guard (1...2).contains(stopBits) else { throw ModbusError.invalidArgument("stop bits \(stopBits) not in 1...2", context: context.text) }
    }
}

/// The checked call for libmodbus' "-1 and errno" convention; EINTR is retried inside libmodbus itself.
@discardableResult
func modbusCall(_ call: String, _ context: @autoclosure () -> RequestContext, file: String = #fileID, line: Int = #line,
                _ body: () -> Int32) throws -> Int32 {
    let rc = body()
    guard rc == -1 else { return rc }
    let number = errno
    throw ModbusError.failed(call, errno: number, context: context().text, file: file, line: line)
}

/// The checked call for libmodbus constructors: nil and errno become a `ModbusError`.
func modbusCall<T>(_ call: String, _ context: @autoclosure () -> RequestContext, file: String = #fileID, line: Int = #line,
                   _ body: () -> T?) throws -> T {
    guard let value = body() else {
        let number = errno
        throw ModbusError.failed(call, errno: number, context: context().text, file: file, line: line)
    }
    return value
}

/// The checked call for POSIX: -1 becomes a `ModbusError`, EINTR is retried.
@discardableResult
func posixCall<I: FixedWidthInteger>(_ call: String, _ context: @autoclosure () -> RequestContext,
                                      file: String = #fileID, line: Int = #line, _ body: () -> I) throws -> I {
    while true {
        let rc = body()
        if rc != -1 { return rc }
        let number = errno
        if number == EINTR { continue }
        throw ModbusError.failed(call, errno: number, context: context().text, file: file, line: line)
    }
}
