/// A setpoint the field refuses: the wiring layer answers it with a Modbus exception.
///
/// `description` is a short label safe as a metric label; `message` names the charger and the reason.
public struct SimulationError: Error, CustomStringConvertible, Sendable, Hashable {
    private enum Code: String, Sendable, Hashable {
        case unknownCharger = "sim_unknown_charger"
        case chargerOffline = "sim_charger_offline"
        case notFinite = "sim_setpoint_not_finite"
        case ambientOutOfRange = "sim_ambient_out_of_range"
    }

    private let code: Code
    public let chargerID: String
    public let message: String
    public let file: String
    public let line: Int

    private init(_ code: Code, chargerID: String, message: String, file: String, line: Int) {
        self.code = code
        self.chargerID = chargerID
        self.message = message
        self.file = file
        self.line = line
    }

    public var description: String { code.rawValue }

    public static func == (l: SimulationError, r: SimulationError) -> Bool { l.code == r.code && l.chargerID == r.chargerID }
    public func hash(into hasher: inout Hasher) {
        hasher.combine(code)
        hasher.combine(chargerID)
    }

    /// True when the charger was off the bus (the write timed out).
    public var isOffline: Bool { code == .chargerOffline }

    static func unknownCharger(_ id: String, file: String = #fileID, line: Int = #line) -> SimulationError {
        SimulationError(.unknownCharger, chargerID: id, message: "no charger has id \"\(id)\"", file: file, line: line)
    }

    static func chargerOffline(_ id: String, file: String = #fileID, line: Int = #line) -> SimulationError {
        SimulationError(.chargerOffline, chargerID: id, message: "charger \(id) is off the bus and did not answer", file: file, line: line)
    }

    static func ambientOutOfRange(_ adjustment: AmbientAdjustment, file: String = #fileID, line: Int = #line) -> SimulationError {
        let message = switch adjustment {
        case .rise(let kelvin): "ambient rise \(kelvin) K is outside \(AmbientAdjustment.riseRangeK.lowerBound)…\(AmbientAdjustment.riseRangeK.upperBound) K"
        case .held(let celsius): "ambient \(celsius) °C is outside \(AmbientAdjustment.heldRangeC.lowerBound)…\(AmbientAdjustment.heldRangeC.upperBound) °C"
        }
        return SimulationError(.ambientOutOfRange, chargerID: "", message: message, file: file, line: line)
    }

    static func notFinite(_ id: String, file: String = #fileID, line: Int = #line) -> SimulationError {
        SimulationError(.notFinite, chargerID: id, message: "setpoint for \(id) must be finite numbers", file: file, line: line)
    }
}
