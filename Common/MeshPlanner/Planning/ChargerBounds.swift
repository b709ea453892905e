import GridCore

/// What bounds one charger's power in the plan, and why (docs/neighborhood.md, "EV flexibility").
public enum EVLimit: String, Sendable, Hashable, Codable, CaseIterable {
    /// The driver's energy by departure: the EV must charge at least this fast, or may discharge only this much.
    case departureNeed = "departure_need"
    /// The energy above the minimum SoC, spread over the horizon.
    case socFloor = "soc_floor"
    case v2gNotAgreed = "v2g_not_agreed"
    case noV2GCharger = "no_v2g_charger"
    case chargerRating = "charger_rating"
    case batteryFull = "battery_full"
    /// No charging past the driver's target without consent (`energy_room_kwh`).
    case driverTarget = "driver_target"
    case noEV = "no_ev"
    case offline
}

/// One charger's allowed power over the horizon, + = charging: `lowerKW ≤ P ≤ upperKW`, with `lowerKW ≤ 0 ≤ upperKW`
/// unless the EV must charge now to leave on time (then `lowerKW > 0`).
struct ChargerBounds: Sendable, Hashable {
    var lowerKW: Double
    var upperKW: Double
    var lowerReason: EVLimit
    var upperReason: EVLimit
    /// What the charger could discharge and charge by its ratings alone (kW ≥ 0), to weigh what the limits hold back.
    var ratedDischargeKW: Double
    var ratedChargeKW: Double
    /// The driver's need cannot be met even at full power: the floor is the rating.
    var needUnreachable: Bool

    /// A charger with no EV (or lost): planned at 0.
    static func idle(_ reason: EVLimit) -> ChargerBounds {
        ChargerBounds(lowerKW: 0, upperKW: 0, lowerReason: reason, upperReason: reason, ratedDischargeKW: 0, ratedChargeKW: 0, needUnreachable: false)
    }

    private init(
        lowerKW: Double, upperKW: Double, lowerReason: EVLimit, upperReason: EVLimit, ratedDischargeKW: Double,
        ratedChargeKW: Double, needUnreachable: Bool
    ) {
        self.lowerKW = lowerKW
        self.upperKW = upperKW
        self.lowerReason = lowerReason
        self.upperReason = upperReason
        self.ratedDischargeKW = ratedDischargeKW
        self.ratedChargeKW = ratedChargeKW
        self.needUnreachable = needUnreachable
    }

    /// The rules, over a horizon of `horizonH` hours from `now`:
    /// - charging up to the rating (min of rated_charge_kw and rated_kva), 0 with a full battery, and no faster than
    ///   reaches the driver's need, or the consented room, within the horizon (or by departure, if sooner);
    /// - the departure floor: holding P for the horizon and then charging at the rating must still deliver the need:
    ///   P·H + rating·(τ − H) ≥ E, so P ≥ (E − rating·(τ − H)) / H; when departure is within the horizon,
    ///   P ≥ E / τ (τ at least one minute); capped at the rating;
    /// - discharge only with a V2G agreement and a charger that can, at most the rating and the energy above the
    ///   minimum SoC spread over the horizon, and never below the departure floor.
    init(_ charger: ChargerReport, now: Timestamp, horizonH: Double) {
        guard charger.online else {
            self = .idle(.offline)
            return
        }
        guard let ev = charger.ev else {
            self = .idle(.noEV)
            return
        }
        let charge = min(charger.ratedChargeKW, charger.ratedKVA)
        let discharge = min(charger.ratedDischargeKW, charger.ratedKVA)
        ratedChargeKW = charge
        ratedDischargeKW = discharge
        let hoursLeft = ev.departure.map { max(($0 - now) / 3600, 1.0 / 60) }
        let span = min(horizonH, hoursLeft ?? horizonH)

        // Charging.
        let energyCap = max(ev.energyNeededKWh, ev.energyRoomKWh ?? 0)
        if ev.socPercent >= 100 {
            upperKW = 0
            upperReason = .batteryFull
        } else if energyCap / span < charge {
            upperKW = energyCap / span
            upperReason = .driverTarget
        } else {
            upperKW = charge
            upperReason = .chargerRating
        }

        // The departure floor (−∞ when there is no deadline or nothing to deliver).
        var floor = -Double.infinity
        needUnreachable = false
        if let hoursLeft, ev.energyNeededKWh > 0 {
            floor = hoursLeft <= horizonH
                ? ev.energyNeededKWh / hoursLeft
                : (ev.energyNeededKWh - charge * (hoursLeft - horizonH)) / horizonH
            if floor > charge { needUnreachable = true }
            floor = min(floor, upperKW)
        }

        // Discharge.
        let reason: EVLimit
        var dischargeCap = 0.0
        if discharge <= 0 {
            reason = .noV2GCharger
        } else if !ev.v2gAgreed {
            reason = .v2gNotAgreed
        } else if ev.energyAvailableKWh / horizonH < discharge {
            dischargeCap = ev.energyAvailableKWh / horizonH
            reason = .socFloor
        } else {
            dischargeCap = discharge
            reason = .chargerRating
        }
        if floor > -dischargeCap {
            lowerKW = floor
            lowerReason = .departureNeed
        } else {
            lowerKW = dischargeCap > 0 ? -dischargeCap : 0
            lowerReason = reason
        }
    }

    /// This EV must charge now to leave with its need.
    var mustCharge: Bool { lowerKW > 0 }
}
