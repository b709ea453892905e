import GridCore

/// Where a Modbus device answers: `{"tcp": {...}}` or `{"rtu": {...}}` (exactly one).
public enum ModbusTransport: Sendable, Hashable, Codable, CustomStringConvertible {
    case tcp(TCP)
    case rtu(RTU)

    /// Modbus TCP (MODBUS Messaging on TCP/IP Implementation Guide v1.0b).
    public struct TCP: Sendable, Hashable, Codable {
        public var host: String
        public var port: Int = 502
        /// Unit identifier, 0–247; most SunSpec devices answer on 1.
        public var unitID: Int = 1

        public init(host: String, port: Int = 502, unitID: Int = 1) {
            self.host = host
            self.port = port
            self.unitID = unitID
        }

        enum CodingKeys: String, CodingKey, CaseIterable { case host, port, unitID = "unit_id" }

        public init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.self)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            host = try c.decode(String.self, forKey: .host)
            port = try c.value(.port, default: port)
            unitID = try c.value(.unitID, default: unitID)
        }
    }

    /// Modbus RTU on a serial line; the defaults are the spec's (MODBUS over Serial Line v1.02 §2.5.1: 19200 baud, even parity).
    public struct RTU: Sendable, Hashable, Codable {
        public enum Parity: String, Sendable, Hashable, Codable { case none = "N", even = "E", odd = "O" }

        public var device: String
        public var baud: Int = 19_200
        public var parity: Parity = .even
        public var dataBits: Int = 8
        public var stopBits: Int = 1
        public var unitID: Int = 1

        public init(device: String, baud: Int = 19_200, parity: Parity = .even, dataBits: Int = 8, stopBits: Int = 1, unitID: Int = 1) {
            self.device = device
            self.baud = baud
            self.parity = parity
            self.dataBits = dataBits
            self.stopBits = stopBits
            self.unitID = unitID
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case device, baud, parity, dataBits = "data_bits", stopBits = "stop_bits", unitID = "unit_id"
        }

        public init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.self)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            device = try c.decode(String.self, forKey: .device)
            baud = try c.value(.baud, default: baud)
            parity = try c.value(.parity, default: parity)
            dataBits = try c.value(.dataBits, default: dataBits)
            stopBits = try c.value(.stopBits, default: stopBits)
            unitID = try c.value(.unitID, default: unitID)
        }
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case tcp, rtu }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        switch (c.contains(.tcp), c.contains(.rtu)) {
        case (true, false): self = .tcp(try c.decode(TCP.self, forKey: .tcp))
        case (false, true): self = .rtu(try c.decode(RTU.self, forKey: .rtu))
        default:
            throw DecodingError.dataCorrupted(.init(
                codingPath: decoder.codingPath, debugDescription: "a transport has exactly one of \"tcp\" or \"rtu\""))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .tcp(let tcp): try c.encode(tcp, forKey: .tcp)
        case .rtu(let rtu): try c.encode(rtu, forKey: .rtu)
        }
    }

    /// The unit identifier, whichever the transport.
    public var unitID: Int {
        switch self {
        case .tcp(let tcp): tcp.unitID
        case .rtu(let rtu): rtu.unitID
        }
    }

    /// "tcp 127.0.0.1:15020 unit 1" or "rtu /dev/ttyUSB0 19200 8E1 unit 3": one device address.
    public var description: String {
        switch self {
        case .tcp(let t): "tcp \(t.host):\(t.port) unit \(t.unitID)"
        case .rtu(let r): "rtu \(r.device) \(r.baud) \(r.dataBits)\(r.parity.rawValue)\(r.stopBits) unit \(r.unitID)"
        }
    }
}

/// Timeouts and reconnection for every Modbus device.
public struct ModbusTiming: Sendable, Hashable, Codable {
    /// How long to wait for a response before counting the request as failed.
    public var responseTimeoutS: Double = 0.5
    /// First wait before reconnecting a lost device; doubles on each failure up to `reconnectMaxS`.
    public var reconnectInitialS: Double = 1
    public var reconnectMaxS: Double = 60

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case responseTimeoutS = "response_timeout_s", reconnectInitialS = "reconnect_initial_s", reconnectMaxS = "reconnect_max_s"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        responseTimeoutS = try c.value(.responseTimeoutS, default: responseTimeoutS)
        reconnectInitialS = try c.value(.reconnectInitialS, default: reconnectInitialS)
        reconnectMaxS = try c.value(.reconnectMaxS, default: reconnectMaxS)
    }
}
