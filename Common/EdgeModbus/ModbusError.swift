internal import CModbus

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A failed Modbus request or server operation, classified so callers can decide to retry, reconnect or give up.
/// `label` is short and safe as a metric label; `description` names the endpoint, unit, address and count.
public struct ModbusError: Error, CustomStringConvertible, Sendable {
    private enum Code: Sendable, Equatable {
        case timeout
        case connectionLost
        case exception(UInt8)
        case badResponse
        case invalidArgument
        case system
    }

    private let code: Code
    /// errno (or libmodbus error number) behind the failure, if any.
    public let errorNumber: Int32?
    /// Human detail, from modbus_strerror for library failures.
    public let message: String
    /// Where the request went: "tcp 10.0.0.5:502, unit 1, read address 40000 count 10".
    public let context: String
    /// Source location that raised the error.
    public let file: String
    /// Source line that raised the error.
    public let line: Int

    private init(_ code: Code, errorNumber: Int32?, message: String, context: String, file: String, line: Int) {
        self.code = code
        self.errorNumber = errorNumber
        self.message = message
        self.context = context
        self.file = file
        self.line = line
    }

    /// The device did not answer within the response timeout (ETIMEDOUT).
    public var isTimeout: Bool { code == .timeout }

    /// The link is gone (reset, refused, broken pipe, closed descriptor, serial device lost); reconnect.
    public var isConnectionLost: Bool { code == .connectionLost }

    /// The Modbus exception code (1 illegal function, 2 illegal data address, 3 illegal data value, 4 device failure …).
    public var exceptionCode: UInt8? {
        if case .exception(let value) = code { return value }
        return nil
    }

    /// Short, fixed text for metrics and logs.
    public var label: String {
        switch code {
        case .timeout: "modbus.timeout"
        case .connectionLost: "modbus.connection_lost"
        case .exception(let value): "modbus.exception_\(value)"
        case .badResponse: "modbus.bad_response"
        case .invalidArgument: "modbus.invalid_argument"
        case .system: "modbus.system"
        }
    }

    public var description: String { "\(label): \(message) (\(context))" }

    /// Classifies errno after a failed libmodbus or POSIX call.
    static func failed(_ call: String, errno number: Int32, context: String, file: String = #fileID, line: Int = #line) -> ModbusError {
        let text = "\(call): \(String(cString: modbus_strerror(number)))"
        return ModbusError(classify(number), errorNumber: number, message: text, context: context, file: file, line: line)
    }

    /// A caller passed an address, count, unit or setting outside its allowed range.
    static func invalidArgument(_ message: String, context: String, file: String = #fileID, line: Int = #line) -> ModbusError {
        ModbusError(.invalidArgument, errorNumber: nil, message: message, context: context, file: file, line: line)
    }

    /// The device answered with fewer registers than asked for.
    static func shortResponse(got: Int, context: String, file: String = #fileID, line: Int = #line) -> ModbusError {
        ModbusError(.badResponse, errorNumber: nil, message: "response carried \(got) registers", context: context, file: file, line: line)
    }

    private static func classify(_ number: Int32) -> Code {
        let base = Int32(v2g_modbus_enobase())
        if number > base, number <= Int32(v2g_modbus_embxgtar()) {
            return .exception(UInt8(number - base))
        }
        if number == Int32(v2g_modbus_embbaddata()) || number == Int32(v2g_modbus_embbadcrc()) || number > base {
            return .badResponse
        }
        switch number {
        case ETIMEDOUT:
            return .timeout
        case ECONNRESET, EPIPE, ECONNREFUSED, ECONNABORTED, EBADF, ENOTCONN, ESHUTDOWN,
             EHOSTUNREACH, ENETUNREACH, ENETDOWN, EHOSTDOWN, EIO, ENXIO, ENODEV, ENOENT:
            return .connectionLost
        default:
            return .system
        }
    }
}

/// What a request was about, for error messages.
struct RequestContext {
    var endpoint: String
    var unit: UInt8?
    var operation: String?
    var address: Int?
    var count: Int?

    var text: String {
        var parts = [endpoint]
        if let unit { parts.append("unit \(unit)") }
        if let operation {
            var part = operation
            if let address { part += " address \(address)" }
            if let count { part += " count \(count)" }
            parts.append(part)
        }
        return parts.joined(separator: ", ")
    }
}
