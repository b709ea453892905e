import EdgeModbus
public import GridCore
import SunSpec

/// One Modbus device the agent talks to: its connection, its discovered SunSpec map, its backoff.
/// Any failure closes the connection and forgets the map, so a device that was swapped or restarted
/// is discovered afresh; retries follow the backoff.
final class FieldDevice {
    let name: String
    let transport: ModbusTransport
    private let timing: ModbusTiming
    private var client: ModbusClient?
    private(set) var map: SunSpecDevice?
    private var writer: DERControlWriter?
    private(set) var backoff: ReconnectBackoff

    init(name: String, transport: ModbusTransport, timing: ModbusTiming, jitterFraction: Double) {
        self.name = name
        self.transport = transport
        self.timing = timing
        backoff = ReconnectBackoff(
            initialS: timing.reconnectInitialS, maximumS: timing.reconnectMaxS, jitterFraction: jitterFraction)
    }

    /// Runs `body` against the connected, discovered device. On failure returns the alarm and backs off.
    func use<T>(now: Timestamp, _ body: (inout ModbusRegisterPort, SunSpecDevice) throws -> T) -> Result<T, FieldAlarm> {
        guard backoff.mayAttempt(at: now) else {
            return .failure(FieldAlarm(code: "DEVICE_BACKOFF", device: name, message: "waiting to reconnect after \(backoff.consecutiveFailures) failures"))
        }
        do {
            let client = try connectedClient()
            var port = ModbusRegisterPort(client: client)
            let map = try self.map ?? SunSpecDevice.discover(reader: &port)
            self.map = map
            let value = try body(&port, map)
            backoff.recordSuccess()
            return .success(value)
        } catch {
            fail(now: now)
            return .failure(Self.alarm(for: error, device: name))
        }
    }

    /// The 704 writer for this charger, built once per discovery.
    func controlWriter(_ port: inout ModbusRegisterPort, _ map: SunSpecDevice) throws -> DERControlWriter {
        if let writer { return writer }
        let made = try DERControlWriter(device: map, reader: &port)
        writer = made
        return made
    }

    private func connectedClient() throws -> ModbusClient {
        if let client, client.isConnected { return client }
        let made: ModbusClient
        switch transport {
        case .tcp(let tcp):
            made = try ModbusClient.tcp(host: tcp.host, port: tcp.port)
            try made.setUnitID(UInt8(clamping: tcp.unitID))
        case .rtu(let rtu):
            let parity: SerialParity = switch rtu.parity {
            case .none: .none
            case .even: .even
            case .odd: .odd
            }
            made = try ModbusClient.rtu(device: rtu.device, baud: rtu.baud, parity: parity, dataBits: rtu.dataBits, stopBits: rtu.stopBits)
            try made.setUnitID(UInt8(clamping: rtu.unitID))
        }
        made.responseTimeoutS = timing.responseTimeoutS
        try made.connect()
        client = made
        return made
    }

    private func fail(now: Timestamp) {
        client?.close()
        client = nil
        map = nil
        writer = nil
        backoff.recordFailure(at: now)
    }

    static func alarm(for error: any Error, device: String) -> FieldAlarm {
        if let modbus = error as? ModbusError {
            let code = modbus.isTimeout ? "MODBUS_TIMEOUT" : (modbus.isConnectionLost ? "MODBUS_LINK_LOST" : "MODBUS_ERROR")
            return FieldAlarm(code: code, device: device, message: "\(modbus)")
        }
        if error is SunSpecError {
            return FieldAlarm(code: "SUNSPEC_INVALID", device: device, message: "\(error)")
        }
        return FieldAlarm(code: "FIELD_ERROR", device: device, message: "\(error)")
    }
}
