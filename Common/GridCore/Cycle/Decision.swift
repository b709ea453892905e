/// The steps of the control cycle, in their order of precedence (docs/control-cycle.md).
public enum ControlStep: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case protection, thermal, envelope, curves, balancing, write

    public static func < (l: ControlStep, r: ControlStep) -> Bool {
        allCases.firstIndex(of: l)! < allCases.firstIndex(of: r)!
    }
}

/// One thing a step decided, and why. Codes are stable: alarms, metrics and tests use them.
public struct Decision: Sendable, Hashable, Codable, CustomStringConvertible {
    public var step: ControlStep
    public var code: String
    public var chargerID: String?
    public var message: String

    public init(_ step: ControlStep, _ code: String, charger: String? = nil, _ message: String) {
        self.step = step
        self.code = code
        self.chargerID = charger
        self.message = message
    }

    enum CodingKeys: String, CodingKey {
        case step, code, chargerID = "charger", message
    }

    public var description: String {
        "[\(step.rawValue)] \(code)\(chargerID.map { " \($0)" } ?? ""): \(message)"
    }
}

/// What one charger is told to do.
public struct ChargerSetpoint: Sendable, Hashable, Codable {
    public var chargerID: String
    /// + = charge, − = discharge. A limit of 0 means stop.
    public var activePowerKW: Double
    /// + = inject.
    public var reactivePowerKvar: Double

    public init(chargerID: String, activePowerKW: Double, reactivePowerKvar: Double) {
        self.chargerID = chargerID
        self.activePowerKW = activePowerKW
        self.reactivePowerKvar = reactivePowerKvar
    }

    enum CodingKeys: String, CodingKey {
        case chargerID = "charger", activePowerKW = "p_kw", reactivePowerKvar = "q_kvar"
    }
}
