/// How IEEE 1547-2018 asks a DER to behave while voltage or frequency stays in one region of its ride-through table.
public enum RideThroughMode: String, Sendable, Hashable, Codable {
    case continuous = "continuous operation"
    case mandatory = "mandatory operation"
    case permissive = "permissive operation"
    /// Category III: output stops at once, without a trip, and returns when the voltage does.
    case momentaryCessation = "momentary cessation"
    /// Beyond the ride-through table: the DER ceases to energize and its trip settings clear it.
    case ceaseToEnergize = "cease to energize"
    /// Frequency beyond the table: the DER may ride through or trip; its trip settings decide.
    case notRequired = "no ride-through requirement"

    /// True where output must stop at once without waiting for a trip.
    public var ceasesOutput: Bool { self == .momentaryCessation || self == .ceaseToEnergize }
}

/// One region of a ride-through table on one side of nominal.
public struct RideThroughRegion: Sendable, Hashable {
    public var mode: RideThroughMode
    /// The region's edge farthest from nominal, inside the region: its lower bound below nominal, its upper bound
    /// above; infinite for the outermost region.
    public var outerEdge: Double
    /// Minimum ride-through time at the outer edge (0 where the table sets none).
    public var minimumS: Double
    /// Where the minimum grows linearly toward nominal (Category I and II mandatory operation), seconds per unit.
    public var slopeSPerUnit: Double

    public init(_ mode: RideThroughMode, outerEdge: Double, minimumS: Double = 0, slopeSPerUnit: Double = 0) {
        self.mode = mode
        self.outerEdge = outerEdge
        self.minimumS = minimumS
        self.slopeSPerUnit = slopeSPerUnit
    }

    /// The minimum ride-through time for a value in this region, measured from the start of the disturbance.
    public func minimumS(at value: Double) -> Double {
        guard outerEdge.isFinite, slopeSPerUnit != 0 else { return minimumS }
        return minimumS + slopeSPerUnit * abs(value - outerEdge)
    }
}

/// The low or the high side of a ride-through table: where continuous operation ends, then the regions outward.
public struct RideThroughSide: Sendable, Hashable {
    /// True for over-voltage or over-frequency.
    public var isAbove: Bool
    /// The last value of continuous operation (inside it).
    public var continuousEdge: Double
    /// Nearest region first.
    public var regions: [RideThroughRegion]

    public init(isAbove: Bool, continuousEdge: Double, regions: [RideThroughRegion]) {
        self.isAbove = isAbove
        self.continuousEdge = continuousEdge
        self.regions = regions
    }

    /// True when `value` has left continuous operation on this side.
    public func isDisturbed(_ value: Double) -> Bool {
        isAbove ? value > continuousEdge : value < continuousEdge
    }

    /// The region holding `value`; nil inside continuous operation.
    public func region(of value: Double) -> RideThroughRegion? {
        guard isDisturbed(value) else { return nil }
        return regions.first { isAbove ? value <= $0.outerEdge : value >= $0.outerEdge } ?? regions.last
    }
}

/// The ride-through table of one category: IEEE 1547-2018 Tables 14–16 (voltage, by category) and Table 21
/// (frequency, the same for every category). Frequencies are written for 60 Hz and scaled by nominalHz/60.
public struct RideThroughTable: Sendable, Hashable {
    public var lowVoltage: RideThroughSide
    public var highVoltage: RideThroughSide
    public var lowFrequency: RideThroughSide
    public var highFrequency: RideThroughSide

    public static func ieee1547(_ category: AbnormalCategory, nominalHz: Double = 60) -> RideThroughTable {
        let hz = { (atSixty: Double) in TripSettings.scaledHz(atSixty, nominalHz) }
        // Table 21: 57.0–58.8 Hz and 61.2–61.8 Hz, mandatory operation for 299 s; beyond, no requirement.
        let lowFrequency = RideThroughSide(isAbove: false, continuousEdge: hz(58.8), regions: [
            RideThroughRegion(.mandatory, outerEdge: hz(57.0), minimumS: 299),
            RideThroughRegion(.notRequired, outerEdge: -.infinity),
        ])
        let highFrequency = RideThroughSide(isAbove: true, continuousEdge: hz(61.2), regions: [
            RideThroughRegion(.mandatory, outerEdge: hz(61.8), minimumS: 299),
            RideThroughRegion(.notRequired, outerEdge: .infinity),
        ])
        // Continuous operation is 0.88–1.10 pu in every category.
        let low: [RideThroughRegion]
        let high: [RideThroughRegion]
        switch category {
        case .i:
            // Table 14.
            low = [
                RideThroughRegion(.mandatory, outerEdge: 0.70, minimumS: 0.7, slopeSPerUnit: 4),
                RideThroughRegion(.permissive, outerEdge: 0.50, minimumS: 0.16),
                RideThroughRegion(.ceaseToEnergize, outerEdge: -.infinity),
            ]
            high = permissiveHigh
        case .ii:
            // Table 15.
            low = [
                RideThroughRegion(.mandatory, outerEdge: 0.65, minimumS: 3, slopeSPerUnit: 8.7),
                RideThroughRegion(.permissive, outerEdge: 0.45, minimumS: 0.32),
                RideThroughRegion(.permissive, outerEdge: 0.30, minimumS: 0.16),
                RideThroughRegion(.ceaseToEnergize, outerEdge: -.infinity),
            ]
            high = permissiveHigh
        case .iii:
            // Table 16.
            low = [
                RideThroughRegion(.mandatory, outerEdge: 0.70, minimumS: 20),
                RideThroughRegion(.mandatory, outerEdge: 0.50, minimumS: 10),
                RideThroughRegion(.momentaryCessation, outerEdge: -.infinity, minimumS: 1),
            ]
            high = [
                RideThroughRegion(.momentaryCessation, outerEdge: 1.20, minimumS: 12),
                RideThroughRegion(.ceaseToEnergize, outerEdge: .infinity),
            ]
        }
        return RideThroughTable(
            lowVoltage: RideThroughSide(isAbove: false, continuousEdge: 0.88, regions: low),
            highVoltage: RideThroughSide(isAbove: true, continuousEdge: 1.10, regions: high),
            lowFrequency: lowFrequency, highFrequency: highFrequency
        )
    }

    /// Categories I and II above nominal (Tables 14 and 15): permissive operation for 1, 0.5 and 0.2 s.
    private static let permissiveHigh = [
        RideThroughRegion(.permissive, outerEdge: 1.15, minimumS: 1),
        RideThroughRegion(.permissive, outerEdge: 1.175, minimumS: 0.5),
        RideThroughRegion(.permissive, outerEdge: 1.20, minimumS: 0.2),
        RideThroughRegion(.ceaseToEnergize, outerEdge: .infinity),
    ]
}

/// A side of the ride-through table, as a key of the protection state.
public enum RideThroughSideKey: String, Sendable, Hashable, Codable, CaseIterable, CodingKeyRepresentable {
    case lowVoltage = "low_voltage"
    case highVoltage = "high_voltage"
    case lowFrequency = "low_frequency"
    case highFrequency = "high_frequency"

    init(_ function: TripFunction) {
        switch function {
        case .ov2, .ov1: self = .highVoltage
        case .uv1, .uv2: self = .lowVoltage
        case .of2, .of1: self = .highFrequency
        case .uf1, .uf2: self = .lowFrequency
        }
    }

    /// The trip function whose worst-phase value this side watches (OV for high voltage, UV for low, …).
    var watchedAs: TripFunction {
        switch self {
        case .lowVoltage: .uv1
        case .highVoltage: .ov1
        case .lowFrequency: .uf1
        case .highFrequency: .of1
        }
    }

    func side(in table: RideThroughTable) -> RideThroughSide {
        switch self {
        case .lowVoltage: table.lowVoltage
        case .highVoltage: table.highVoltage
        case .lowFrequency: table.lowFrequency
        case .highFrequency: table.highFrequency
        }
    }
}
