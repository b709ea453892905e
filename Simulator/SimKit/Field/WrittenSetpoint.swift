import SunSpec

/// A setpoint the agent wrote into a charger's model 704, decoded into the physics' convention for
/// `FeederSimulation.apply(setpoint:activeKW:reactiveKvar:revertAfterS:)`.
public struct WrittenSetpoint: Sendable, Hashable {
    /// Reversion time given to the physics for a release: the setpoint lapses at the next internal step.
    public static let releaseRevertS = 1e-6

    public var chargerID: String
    /// + charging, − discharging (704 WSet is + injection, so activeKW = −WSet / 1000).
    public var activeKW: Double
    /// + injection, as 704 VarSet.
    public var reactiveKvar: Double
    /// Seconds until the charger reverts to its default; 0 means never (704 `…EnaRvrt` = 0 or `…RvrtTms` = 0).
    public var revertAfterS: Double
    /// True when neither WSet nor VarSet is enabled: the charger goes back to its default behaviour
    /// (charging at the EV's request). `activeKW` then holds that request and `revertAfterS` `releaseRevertS`.
    public var isRelease: Bool

    public init(chargerID: String, activeKW: Double, reactiveKvar: Double, revertAfterS: Double, isRelease: Bool = false) {
        self.chargerID = chargerID
        self.activeKW = activeKW
        self.reactiveKvar = reactiveKvar
        self.revertAfterS = revertAfterS
        self.isRelease = isRelease
    }

    /// Decodes a 704 block. WSetMod and VarSetMod are taken as WATTS and VARS whatever they hold (the only modes the
    /// agent writes). `requestedKW` is the EV's request now: the active power when only VarSet is enabled, and the
    /// hand-back value of a release. `…Rvrt` values are not used: the physics reverts to its default behaviour.
    static func decode(chargerID: String, controls: SunSpecModelValues, requestedKW: Double) -> WrittenSetpoint {
        func enabled(_ name: String) -> Bool { controls.integer(name) == 1 }
        func reversionS(_ prefix: String) -> Double {
            enabled("\(prefix)EnaRvrt") ? Double(controls.integer("\(prefix)RvrtTms") ?? 0) : 0
        }
        let watts = enabled("WSetEna") ? controls.value("WSet") : nil
        let vars = enabled("VarSetEna") ? controls.value("VarSet") : nil
        guard watts != nil || vars != nil else {
            return WrittenSetpoint(
                chargerID: chargerID, activeKW: requestedKW, reactiveKvar: 0, revertAfterS: releaseRevertS, isRelease: true)
        }
        // One timer in the physics: the earlier of the enabled functions' reversions (0 = never does not count).
        let timers = [watts == nil ? 0 : reversionS("WSet"), vars == nil ? 0 : reversionS("VarSet")].filter { $0 > 0 }
        return WrittenSetpoint(
            chargerID: chargerID, activeKW: watts.map { -$0 / 1000 } ?? requestedKW, reactiveKvar: (vars ?? 0) / 1000,
            revertAfterS: timers.min() ?? 0)
    }

    /// Applies it to the physics; throws when the charger is off the bus or unknown.
    public func apply(to simulation: inout FeederSimulation) throws(SimulationError) {
        try simulation.apply(setpoint: chargerID, activeKW: activeKW, reactiveKvar: reactiveKvar, revertAfterS: revertAfterS)
    }
}
