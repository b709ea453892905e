/// The names of a transformer site's telemetry channels: the one vocabulary the agent writes and the aggregator,
/// the operator tools and the test streams read. Every name ends in its unit (`ChannelSpec`).
public enum TransformerChannels {
    /// A per-phase measurement at the transformer's low-voltage side.
    public enum PhaseQuantity: String, Sendable, CaseIterable {
        case volts = "v", amperes = "a", kilowatts = "kw", kilovars = "kvar"
    }

    /// A per-charger measurement.
    public enum ChargerQuantity: String, Sendable, CaseIterable {
        case kilowatts = "kw", kilovars = "kvar", stateOfChargePercent = "soc_pct"
    }

    /// Phase letters in conductor order.
    public static let phaseLetters = ["a", "b", "c"]

    /// `phase_<letter>_<unit>`, e.g. `phase_b_kw`; `phase` is 0…2 (a, b, c).
    public static func phase(_ phase: Int, _ quantity: PhaseQuantity) -> String {
        precondition(phaseLetters.indices.contains(phase), "phase index \(phase) is not 0…2")
        return "phase_\(phaseLetters[phase])_\(quantity.rawValue)"
    }

    /// `charger_<n>_<unit>`, n from 1 in the site's charger order (charger ids are free text, channel names are not).
    public static func charger(_ number: Int, _ quantity: ChargerQuantity) -> String {
        precondition(number >= 1, "charger numbers start at 1, got \(number)")
        return "charger_\(number)_\(quantity.rawValue)"
    }

    public static let gridHz = "grid_hz"
    public static let ambientC = "ambient_c"
    public static let topOilC = "top_oil_c"
    public static let hotSpotC = "hot_spot_c"
    /// |Ia + Ib + Ic| at the transformer.
    public static let neutralA = "neutral_a"
    /// Voltage unbalance factor.
    public static let vufPct = "vuf_pct"
    /// Sum of the chargers' active power.
    public static let evTotalKW = "ev_total_kw"
    /// Sum of the three phases' active and reactive power (as a meter reports them).
    public static let totalKW = "total_kw"
    public static let totalKvar = "total_kvar"

    /// Prefix of a channel that carries one-minute means of another (what the agent keeps once raw rows are dropped).
    public static let minuteMeanPrefix = "avg1m_"

    /// Per-phase V, A, kW, kvar in that order, phases a, b, c within each quantity.
    public static let phaseRow: [String] = PhaseQuantity.allCases.flatMap { quantity in
        phaseLetters.indices.map { phase($0, quantity) }
    }

    /// The agent's row: per-phase V/A/kW/kvar, Hz, ambient/top-oil/hot-spot °C, neutral A, VUF %, EV total kW, then
    /// per charger kW, kvar, SoC.
    public static func agentRow(chargerCount: Int) -> [String] {
        phaseRow + [gridHz, ambientC, topOilC, hotSpotC, neutralA, vufPct, evTotalKW]
            + (0..<chargerCount).flatMap { index in ChargerQuantity.allCases.map { charger(index + 1, $0) } }
    }
}
