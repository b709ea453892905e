#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import GridCore

/// A setpoint the charger holds until it is replaced or its reversion timer runs out.
struct HeldSetpoint: Sendable, Hashable {
    /// nil: the EV's request (only reactive power is commanded).
    var activeKW: Double?
    var reactiveKvar: Double
    /// nil: no reversion (SunSpec 704 `WSetRvrtTms` = 0).
    var expires: Timestamp?
    /// What it holds after `expires` (SunSpec 704 `WSetRvrt`); nil: back to the default behaviour.
    var revertTo: Reversion?

    /// The setpoint in force at `time`: itself, its reversion value once expired, or nil (default behaviour).
    func inForce(at time: Timestamp) -> HeldSetpoint? {
        guard let expires, time >= expires else { return self }
        return revertTo.map { HeldSetpoint(activeKW: $0.activeKW, reactiveKvar: $0.reactiveKvar) }
    }
}

/// The EV plugged into a charger, as its BMS sees it.
struct PluggedEV: Sendable, Hashable {
    var index: Int
    var session: SessionSpec
    var socPercent: Double
    var batteryTempC: Double
    var chargedKWh = 0.0
    var dischargedKWh = 0.0
    /// Energy charged while the SoC was above the driver's target.
    var chargedPastTargetKWh = 0.0
    var minSocPercent: Double

    /// What the EV asks an uncoordinated charger for: its request below its target, then nothing.
    var requestedKW: Double { socPercent < session.targetSocPercent ? session.requestedKW : 0 }
}

/// One charger's physics: a first-order response toward its target, clamped by its ratings and the BMS,
/// with the EV's SoC and battery temperature integrated under it.
struct ChargerModel: Sendable {
    let spec: ChargerSpec
    let sessions: [SessionSpec]
    var nextSession = 0
    var ev: PluggedEV?
    /// Output now: + charging, − discharging (kW); + injection (kvar).
    var activeKW = 0.0
    var reactiveKvar = 0.0
    var setpoint: HeldSetpoint?

    init(spec: ChargerSpec, sessions: [SessionSpec]) {
        self.spec = spec
        self.sessions = sessions
    }

    /// The BMS and nameplate limits on active power now: (most discharge as a negative kW, most charge).
    var activeLimitsKW: (low: Double, high: Double) {
        guard let ev else { return (0, 0) }
        let charge = ev.socPercent < 100 ? spec.ratedChargeKW : 0
        let discharge = ev.session.v2gAllowed && ev.socPercent > 0 ? spec.ratedDischargeKW : 0
        return (-discharge, charge)
    }

    /// Plugs in and unplugs EVs due at `time`; returns the sessions that ended.
    mutating func updateSessions(at time: Timestamp, ambientC: Double) -> [SessionOutcome] {
        var ended: [SessionOutcome] = []
        while true {
            if let current = ev {
                guard time >= current.session.departure else { break }
                ended.append(outcome(of: current, departed: true))
                ev = nil
                activeKW = 0
                reactiveKvar = 0
            }
            guard nextSession < sessions.count, time >= sessions[nextSession].arrival else { break }
            let session = sessions[nextSession]
            ev = PluggedEV(
                index: nextSession, session: session, socPercent: session.arrivalSocPercent,
                batteryTempC: session.arrivalBatteryTempC ?? ambientC + 5, minSocPercent: session.arrivalSocPercent
            )
            nextSession += 1
        }
        return ended
    }

    /// Advances the output, SoC and battery temperature over `seconds` that start at `time`.
    /// Returns true when the held setpoint's reversion timer ran out at the start of this step (a lapse).
    @discardableResult
    mutating func step(at time: Timestamp, seconds: Double, ambientC: Double, battery: BatteryThermalSpec) -> Bool {
        var lapsed = false
        if let held = setpoint, let expires = held.expires, time >= expires {
            setpoint = held.inForce(at: time)
            lapsed = true
        }
        guard var plugged = ev else {
            activeKW = 0
            reactiveKvar = 0
            return lapsed
        }
        let limits = activeLimitsKW
        let wantedKW = min(max(setpoint?.activeKW ?? plugged.requestedKW, limits.low), limits.high)
        let wantedKvar = Self.clampReactive(setpoint?.reactiveKvar ?? 0, activeKW: wantedKW, ratedKVA: spec.ratedKVA)
        // First-order response, exact for a constant target: it never overshoots, so 0 means stop, never reverse.
        let follow = 1 - exp(-seconds / spec.responseTimeS)
        var kw = min(max(activeKW + (wantedKW - activeKW) * follow, limits.low), limits.high)
        // The BMS stops exactly at 0 % and 100 %: no step may carry the SoC past either.
        let hours = seconds / 3600
        let capacity = plugged.session.batteryKWh
        if hours > 0 {
            let roomKWh = (100 - plugged.socPercent) / 100 * capacity
            let storedKWh = plugged.socPercent / 100 * capacity
            kw = min(max(kw, -storedKWh / hours), roomKWh / hours)
        }
        let energyKWh = kw * hours
        let socBefore = plugged.socPercent
        plugged.socPercent = min(max(plugged.socPercent + energyKWh / capacity * 100, 0), 100)
        if energyKWh > 0 { plugged.chargedKWh += energyKWh } else { plugged.dischargedKWh -= energyKWh }
        let target = plugged.session.targetSocPercent
        if plugged.socPercent > max(socBefore, target) {
            plugged.chargedPastTargetKWh += (plugged.socPercent - max(socBefore, target)) / 100 * capacity
        }
        plugged.minSocPercent = min(plugged.minSocPercent, plugged.socPercent)
        let batteryTarget = ambientC + battery.riseKPerKW * abs(kw)
        plugged.batteryTempC += (batteryTarget - plugged.batteryTempC) * (1 - exp(-seconds / battery.timeConstantS))
        activeKW = kw
        reactiveKvar = Self.clampReactive(
            reactiveKvar + (wantedKvar - reactiveKvar) * follow, activeKW: kw, ratedKVA: spec.ratedKVA
        )
        ev = plugged
        return lapsed
    }

    /// Reactive power within the circle left by the active power: |Q| ≤ sqrt(S² − P²).
    static func clampReactive(_ kvar: Double, activeKW: Double, ratedKVA: Double) -> Double {
        let room = max(ratedKVA * ratedKVA - activeKW * activeKW, 0).squareRoot()
        return min(max(kvar, -room), room)
    }

    func outcome(of plugged: PluggedEV, departed: Bool) -> SessionOutcome {
        SessionOutcome(
            sessionID: "\(spec.id)#\(plugged.index)", chargerID: spec.id,
            arrival: plugged.session.arrival, departure: plugged.session.departure,
            arrivalSocPercent: plugged.session.arrivalSocPercent, finalSocPercent: plugged.socPercent,
            targetSocPercent: plugged.session.targetSocPercent,
            chargedKWh: plugged.chargedKWh, dischargedKWh: plugged.dischargedKWh,
            batteryKWh: plugged.session.batteryKWh, requestedKW: plugged.session.requestedKW,
            chargedPastTargetKWh: plugged.chargedPastTargetKWh, minSocPercent: plugged.minSocPercent,
            metTarget: departed ? plugged.socPercent >= plugged.session.targetSocPercent - SessionOutcome.toleranceSocPercent : nil
        )
    }
}
