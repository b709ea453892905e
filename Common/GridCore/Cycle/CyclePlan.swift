/// The working sheet of one cycle: each charger's allowed band [minKW, maxKW], its request and weight,
/// and the fleet limits. Steps only ever narrow the bands, so a later step can never undo an earlier one.
struct CyclePlan {
    var chargers: [ChargerState]
    var minKW: [Double]
    var maxKW: [Double]
    var requestKW: [Double]
    var weight: [Double]
    /// Bounds on the sum of all chargers' P (thermal ∩ envelope).
    var fleetKW: ClosedRange<Double>?
    /// Bounds on each phase's share of the chargers' P (envelope).
    var phaseKW: PerPhase<ClosedRange<Double>>?
    /// Per-phase Volt-VAR output, per unit of each charger's kVA (after its open-loop response).
    var reactivePU = PerPhase(repeating: 0.0)
    var reactiveBiasPU = 0.0
    var setpointKW: [Double]
    var balance = true
    var decisions: [Decision] = []
    var figures = CycleFigures()

    /// Starts from each charger's and EV's own limits (the constraints of step 5).
    init(chargers: [ChargerState], policy: ControlPolicy, now: Timestamp) {
        self.chargers = chargers
        let n = chargers.count
        minKW = Array(repeating: 0, count: n)
        maxKW = Array(repeating: 0, count: n)
        requestKW = Array(repeating: 0, count: n)
        weight = Array(repeating: 1, count: n)
        setpointKW = Array(repeating: 0, count: n)
        for i in chargers.indices { limitByCharger(i, policy: policy, now: now) }
    }

    private mutating func limitByCharger(_ i: Int, policy: ControlPolicy, now: Timestamp) {
        let charger = chargers[i]
        let id = charger.id
        guard charger.online else {
            decisions.append(Decision(.balancing, "CHARGER_OFFLINE", charger: id, "no answer this cycle; planned at 0"))
            return
        }
        guard let ev = charger.ev else { return }
        let ratings = [charger.ratedChargeKW, charger.ratedDischargeKW, charger.ratedKVA]
        guard ratings.allSatisfy({ $0.isFinite && $0 >= 0 }) else {
            decisions.append(Decision(.balancing, "CHARGER_DATA_INVALID", charger: id, "ratings not finite or negative; held at 0"))
            return
        }
        // Garbage on the EV's own points is an alarm, not only a refusal to discharge.
        reportInvalidEVData(charger, ev)
        // Charging: up to the rating and never above the EV's or driver's own request; nothing once full, or once
        // at the driver's target unless the driver consents to more.
        let socKnown = ev.socPercent.isFinite && (0...100).contains(ev.socPercent)
        let requested = ev.requestedKW.isFinite ? max(0, ev.requestedKW) : min(charger.ratedChargeKW, charger.ratedKVA)
        maxKW[i] = (socKnown && ev.socPercent >= 100) ? 0 : min(charger.ratedChargeKW, charger.ratedKVA, requested)
        let consent = ev.chargePastTargetAllowed ?? policy.ev.chargePastTarget
        if let needed = ev.energyNeededKWh, needed.isFinite, needed <= 0, !consent, maxKW[i] > 0 {
            maxKW[i] = 0
            decisions.append(Decision(.balancing, "TARGET_REACHED", charger: id, "at the driver's target: no more charging"))
        }
        // Discharge: only when every condition holds; unknown SoC or temperature counts as "no".
        if let refusal = Self.dischargeRefusal(charger, ev, socKnown: socKnown, policy: policy.ev) {
            if charger.ratedDischargeKW > 0 {
                decisions.append(Decision(.balancing, refusal.code, charger: id, refusal.message))
            }
        } else {
            let availableKWh = (ev.socPercent - policy.ev.minimumSoCPercent) / 100 * ev.capacityKWh
            var cap = min(charger.ratedDischargeKW, charger.ratedKVA)
            if policy.ev.socGuardMinutes > 0 { cap = min(cap, availableKWh / (policy.ev.socGuardMinutes / 60)) }
            if let budget = ev.dischargeBudgetKWh { cap = min(cap, budget / (max(policy.ev.socGuardMinutes, 1) / 60)) }
            minKW[i] = -max(0, cap)
        }
        // The driver's need without a plan: the request, raised to what the departure energy requires.
        var request = min(requested, maxKW[i])
        var urgency = 0.0
        if let departure = ev.departure, let needed = ev.energyNeededKWh, needed.isFinite, needed > 0 {
            let hoursLeft = max(now.secondsSinceEpoch < departure.secondsSinceEpoch ? (departure - now) / 3600 : 0, 1.0 / 60)
            let requiredKW = needed / hoursLeft
            urgency = maxKW[i] > 0 ? min(1, requiredKW / maxKW[i]) : 0
            request = max(request, min(requiredKW, maxKW[i]))
        }
        requestKW[i] = request
        // An EV that must charge at full rate to leave on time is 10× as costly to move as one with slack.
        weight[i] = 1 + 9 * urgency * urgency
    }

    /// A state of charge or battery temperature no battery can have: the charger and the point are named, and the
    /// cycle goes on with discharge refused for that EV (`dischargeRefusal`).
    private mutating func reportInvalidEVData(_ charger: ChargerState, _ ev: EVState) {
        if !(ev.socPercent.isFinite && (0...100).contains(ev.socPercent)) {
            decisions.append(Decision(.balancing, "EV_DATA_INVALID", charger: charger.id,
                "state of charge (soc_pct, SunSpec 713 SoC) reads \(ev.socPercent): not within 0–100 %; no discharge"))
        }
        if !(ev.batteryTempC.isFinite && (-40...90).contains(ev.batteryTempC)) {
            decisions.append(Decision(.balancing, "EV_DATA_INVALID", charger: charger.id,
                "battery temperature (battery_temp_c, 64901 BatTmp) reads \(ev.batteryTempC) °C: not within −40…90 °C; no discharge"))
        }
    }

    static func dischargeRefusal(
        _ charger: ChargerState, _ ev: EVState, socKnown: Bool, policy: EVLimits
    ) -> (code: String, message: String)? {
        if charger.ratedDischargeKW <= 0 { return ("NO_V2G_CHARGER", "charger cannot discharge") }
        if !policy.dischargeEnabled { return ("V2G_DISABLED", "discharge disabled by policy") }
        if !ev.dischargeAllowed { return ("V2G_NOT_AGREED", "driver has not agreed to discharge") }
        if !socKnown { return ("SOC_UNKNOWN", "SoC \(ev.socPercent) not plausible; no discharge") }
        if ev.socPercent <= policy.minimumSoCPercent {
            return ("SOC_FLOOR", "SoC \(ev.socPercent)% at or below the \(policy.minimumSoCPercent)% minimum")
        }
        guard ev.batteryTempC.isFinite else { return ("BATTERY_TEMP_UNKNOWN", "battery temperature unknown; no discharge") }
        if ev.batteryTempC > policy.maxDischargeBatteryTempC {
            return ("BATTERY_HOT", "battery \(ev.batteryTempC) °C above \(policy.maxDischargeBatteryTempC) °C")
        }
        if !(ev.capacityKWh.isFinite && ev.capacityKWh > 0) { return ("CAPACITY_UNKNOWN", "battery capacity unknown") }
        if let budget = ev.dischargeBudgetKWh, !(budget > 0) {
            return ("CYCLE_BUDGET_SPENT", "shallow-cycle discharge budget spent")
        }
        return nil
    }

    /// Forbids discharge on every charger (a bound of 0 means stop, never reverse).
    mutating func forbidDischarge() {
        for i in minKW.indices { minKW[i] = max(minKW[i], 0) }
    }

    /// Forbids charging on every charger.
    mutating func forbidCharging() {
        for i in maxKW.indices { maxKW[i] = min(maxKW[i], 0) }
    }

    /// Narrows the fleet bounds; when the new bounds do not overlap, the earlier (higher-precedence) ones win.
    mutating func narrowFleet(_ bounds: ClosedRange<Double>) -> Bool {
        guard let current = fleetKW else { fleetKW = bounds; return true }
        guard current.overlaps(bounds) else { return false }
        fleetKW = max(current.lowerBound, bounds.lowerBound)...min(current.upperBound, bounds.upperBound)
        return true
    }

    /// Each charger's P at what it asks for within its own band: the plan without coordination.
    var uncoordinatedKW: [Double] {
        requestKW.indices.map { min(max(requestKW[$0], minKW[$0]), maxKW[$0]) }
    }
}
