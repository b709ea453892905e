/// A channel's unit, read from its name's suffix; it sets the quantum (the meter's resolution).
public enum TelemetryUnit: String, Sendable, Hashable, CaseIterable {
    case volts = "v"
    case amperes = "a"
    case kilowatts = "kw"
    case kilovars = "kvar"
    case hertz = "hz"
    case celsius = "c"
    case percent = "pct"

    /// Decimal places kept: 0.1 V, 0.01 A, 0.01 kW, 0.01 kvar, 0.001 Hz, 0.1 °C, 0.1 %.
    public var decimals: Int {
        switch self {
        case .volts, .celsius, .percent: 1
        case .amperes, .kilowatts, .kilovars: 2
        case .hertz: 3
        }
    }

    /// The quantum this unit is stored at.
    public var quantum: Quantum { Quantum(decimals: decimals) }

    /// The unit whose suffix ends `name` after the last underscore, if any.
    public init?(channelName name: String) {
        guard let underscore = name.lastIndex(of: "_") else { return nil }
        self.init(rawValue: String(name[name.index(after: underscore)...]))
    }

    static let suffixList = allCases.map { "_\($0.rawValue)" }.joined(separator: ", ")
}

/// One telemetry channel: its name (lowercase, ending in its unit) and the quantum its values are stored at.
public struct ChannelSpec: Sendable, Hashable, CustomStringConvertible {
    /// Longest channel name accepted, in bytes.
    public static let maxNameBytes = 64

    /// e.g. `phase_a_v`, `total_kw`, `charger_3_soc_pct`.
    public let name: String
    public let unit: TelemetryUnit

    /// The channel's resolution, from its unit.
    public var quantum: Quantum { unit.quantum }

    /// Validates `name` (`[a-z][a-z0-9_]*`, at most 64 bytes) and derives the unit from its suffix.
    public init(name: String) throws(TelemetryFrameError) {
        let bytes = Array(name.utf8)
        guard !bytes.isEmpty, bytes.count <= Self.maxNameBytes else {
            throw .badChannel(name, "name must be 1…\(Self.maxNameBytes) bytes, got \(bytes.count)")
        }
        guard bytes[0] >= UInt8(ascii: "a"), bytes[0] <= UInt8(ascii: "z") else {
            throw .badChannel(name, "name must start with a lowercase letter a–z")
        }
        for byte in bytes where !Self.isNameByte(byte) {
            throw .badChannel(name, "byte 0x\(String(byte, radix: 16)) is not allowed (only a–z, 0–9 and _)")
        }
        guard let unit = TelemetryUnit(channelName: name) else { throw .unknownUnit(name) }
        self.name = name
        self.unit = unit
    }

    public var description: String { name }

    private static func isNameByte(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
            || byte == UInt8(ascii: "_")
    }
}
