/// A change to a transformer's ambient made while the simulation runs (the control file of `v2g-sim run
/// --neighborhood`, or a test), on top of the daily profile and the scenario's hot-transformer events.
public enum AmbientAdjustment: Sendable, Hashable, CustomStringConvertible {
    /// Kelvin added to the ambient.
    case rise(kelvin: Double)
    /// The ambient held at this temperature.
    case held(celsius: Double)

    /// The ranges a scenario's hot-transformer event accepts.
    public static let riseRangeK = 0.0...40
    public static let heldRangeC = -50.0...60

    /// True when the value is finite and inside its range.
    public var isValid: Bool {
        switch self {
        case .rise(let kelvin): kelvin.isFinite && Self.riseRangeK.contains(kelvin)
        case .held(let celsius): celsius.isFinite && Self.heldRangeC.contains(celsius)
        }
    }

    /// "ambient +15.0 K", "ambient held at 35.0 °C".
    public var description: String {
        switch self {
        case .rise(let kelvin): "ambient +\(ScenarioReport.fixed(kelvin, 1)) K"
        case .held(let celsius): "ambient held at \(ScenarioReport.fixed(celsius, 1)) °C"
        }
    }

    func applied(to ambientC: Double) -> Double {
        switch self {
        case .rise(let kelvin): ambientC + kelvin
        case .held(let celsius): celsius
        }
    }
}
