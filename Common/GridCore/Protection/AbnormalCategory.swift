/// IEEE 1547-2018 abnormal operating performance category (§4.3, §6.4, §6.5): it sets the trip defaults, their
/// adjustable ranges and the ride-through table. Category III is the one written for feeders with many
/// inverter-based DERs (and the one California's Rule 21 asks for).
public enum AbnormalCategory: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    case i = "I"
    case ii = "II"
    case iii = "III"

    public var description: String { "Category \(rawValue)" }

    /// The table numbers of IEEE 1547-2018 for this category's voltage trips and voltage ride-through.
    var voltageTripTable: String {
        switch self {
        case .i: "Table 11"
        case .ii: "Table 12"
        case .iii: "Table 13"
        }
    }

    var voltageRideThroughTable: String {
        switch self {
        case .i: "Table 14"
        case .ii: "Table 15"
        case .iii: "Table 16"
        }
    }

    /// Parses "I", "II" or "III" (case-insensitive), as written in a policy or on the command line.
    public init?(text: String) {
        self.init(rawValue: text.uppercased())
    }
}
