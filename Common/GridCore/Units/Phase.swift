/// One of the three phases of a distribution transformer's secondary.
public enum Phase: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    case a = "A"
    case b = "B"
    case c = "C"

    /// Nominal angle of the phase-to-neutral voltage in a positive-sequence (ABC) system.
    public var nominalAngleDegrees: Double {
        switch self {
        case .a: 0
        case .b: -120
        case .c: 120
        }
    }

    public var description: String { rawValue }
}

/// How a charger is wired to the transformer's secondary.
/// Coded in JSON as "A", "B", "C" (single phase to neutral) or "ABC" (balanced three-phase).
public enum PhaseConnection: Sendable, Hashable, Codable, CustomStringConvertible {
    case single(Phase)
    case threePhase

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let connection = PhaseConnection(text) else {
            throw DecodingError.dataCorrupted(.init(
                codingPath: decoder.codingPath,
                debugDescription: "phase connection must be \"A\", \"B\", \"C\" or \"ABC\", got \"\(text)\""
            ))
        }
        self = connection
    }

    public init?(_ text: String) {
        switch text.uppercased() {
        case "A": self = .single(.a)
        case "B": self = .single(.b)
        case "C": self = .single(.c)
        case "ABC", "3P", "THREE-PHASE": self = .threePhase
        default: return nil
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    /// Share of the charger's power carried by `phase` (1, 0 or 1/3).
    public func share(of phase: Phase) -> Double {
        switch self {
        case .single(let p): p == phase ? 1 : 0
        case .threePhase: 1.0 / 3.0
        }
    }

    public var description: String {
        switch self {
        case .single(let p): p.rawValue
        case .threePhase: "ABC"
        }
    }
}

extension PhaseConnection {
    private static let singles: [[Phase]] = [[.a], [.b], [.c]]

    /// The phases this charger is connected to (shared arrays: no allocation on the control path).
    public var phases: [Phase] {
        switch self {
        case .single(.a): Self.singles[0]
        case .single(.b): Self.singles[1]
        case .single(.c): Self.singles[2]
        case .threePhase: Phase.allCases
        }
    }

    /// The smallest of a per-phase value over this connection's phases: a three-phase charger obeys its most constrained phase.
    public func minimum(of values: PerPhase<Double>) -> Double {
        switch self {
        case .single(let p): values[p]
        case .threePhase: min(values.a, values.b, values.c)
        }
    }

    /// The mean of a per-phase value over this connection's phases.
    public func mean(of values: PerPhase<Double>) -> Double {
        switch self {
        case .single(let p): values[p]
        case .threePhase: (values.a + values.b + values.c) / 3
        }
    }
}
