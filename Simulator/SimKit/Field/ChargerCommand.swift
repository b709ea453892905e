import SunSpec

/// What the agent commanded a charger through its model 704, decoded into the physics' convention for
/// `FeederSimulation.apply(setpoint:activeKW:reactiveKvar:revertAfterS:revertTo:)`.
public struct ChargerCommand: Sendable, Hashable {
    public var chargerID: String
    /// + charging, − discharging (704 WSet is + injection, so activeKW = −WSet / 1000).
    public var activeKW: Double
    /// + injection, as 704 VarSet.
    public var reactiveKvar: Double
    /// Seconds until the charger reverts; 0 means never (704 `…EnaRvrt` = 0 or `…RvrtTms` = 0).
    public var revertAfterS: Double
    /// What the charger holds once the timer runs out (704 `WSetRvrt`, `VarSetRvrt`; the agent writes 0 = stop).
    public var revertTo: Reversion?
    /// True when neither WSet nor VarSet is enabled: the charger goes back to its default behaviour
    /// (charging at the EV's request).
    public var isRelease: Bool

    public init(
        chargerID: String, activeKW: Double, reactiveKvar: Double, revertAfterS: Double, revertTo: Reversion? = nil,
        isRelease: Bool = false
    ) {
        self.chargerID = chargerID
        self.activeKW = activeKW
        self.reactiveKvar = reactiveKvar
        self.revertAfterS = revertAfterS
        self.revertTo = revertTo
        self.isRelease = isRelease
    }

    /// A release: both functions off.
    public static func release(_ chargerID: String) -> ChargerCommand {
        ChargerCommand(chargerID: chargerID, activeKW: 0, reactiveKvar: 0, revertAfterS: 0, isRelease: true)
    }

    /// Decodes a 704 block. WSetMod and VarSetMod are taken as WATTS and VARS whatever they hold (the only modes the
    /// agent writes). `requestedKW` is the EV's request now: the active power when only VarSet is enabled.
    static func decode(chargerID: String, controls: SunSpecModelValues, requestedKW: Double) -> ChargerCommand {
        func enabled(_ name: String) -> Bool { controls.integer(name) == 1 }
        func reversionS(_ prefix: String) -> Double {
            enabled("\(prefix)EnaRvrt") ? Double(controls.integer("\(prefix)RvrtTms") ?? 0) : 0
        }
        let watts = enabled("WSetEna") ? controls.value("WSet") : nil
        let vars = enabled("VarSetEna") ? controls.value("VarSet") : nil
        guard watts != nil || vars != nil else { return .release(chargerID) }
        // One timer in the physics: the earlier of the enabled functions' reversions (0 = never does not count).
        let timers = [watts == nil ? 0 : reversionS("WSet"), vars == nil ? 0 : reversionS("VarSet")].filter { $0 > 0 }
        // A function that is not enabled keeps its default at reversion: the EV's request, no reactive power.
        let revertTo = Reversion(
            activeKW: watts == nil ? nil : -(controls.value("WSetRvrt") ?? 0) / 1000,
            reactiveKvar: vars == nil ? 0 : (controls.value("VarSetRvrt") ?? 0) / 1000)
        return ChargerCommand(
            chargerID: chargerID, activeKW: watts.map { -$0 / 1000 } ?? requestedKW, reactiveKvar: (vars ?? 0) / 1000,
            revertAfterS: timers.min() ?? 0, revertTo: timers.isEmpty ? nil : revertTo)
    }

    /// Applies it to the physics; throws when the charger is off the bus or unknown.
    public func apply(to simulation: inout FeederSimulation) throws(SimulationError) {
        if isRelease { return try simulation.release(chargerID) }
        try simulation.apply(
            setpoint: chargerID, activeKW: activeKW, reactiveKvar: reactiveKvar, revertAfterS: revertAfterS, revertTo: revertTo)
    }
}

/// What a charger holds once its reversion timer runs out, as SunSpec 704 `WSetRvrt` and `VarSetRvrt` say.
public struct Reversion: Sendable, Hashable {
    /// + charging; nil: back to charging at the EV's request (the active-power function was not enabled).
    public var activeKW: Double?
    /// + injection.
    public var reactiveKvar: Double

    public init(activeKW: Double?, reactiveKvar: Double) {
        self.activeKW = activeKW
        self.reactiveKvar = reactiveKvar
    }

    /// Stop: 0 kW, 0 kvar (what the agent writes).
    public static let stop = Reversion(activeKW: 0, reactiveKvar: 0)
}
