extension ControlCycle {
    /// Step 5, first half: keeps the horizon plan current and returns, per charger, the plan's power for now
    /// (nil where the plan has no EV there), and the neutral current the plan predicts for now.
    /// Records the non-EV load for the forecast on the way. `fullPower` names the chargers whose EV cannot reach
    /// its target even at full power: the plan gives them their rate throughout, and the cycle must not trade
    /// any of it for a lower neutral current.
    /// A plan is made when there is none, every `replan_interval_min`, and at once when an EV arrives or
    /// leaves, a departure changes, or a phase's non-EV load moves `replan_deviation_kw` from the forecast.
    func followHorizon(_ state: inout CycleState, _ plan: inout CyclePlan, meter: MeterReading, now: Timestamp)
        -> (references: [Double?], plannedNeutral: Phasor?, fullPower: Set<String>)
    {
        let rules = policy.balancing
        // The non-EV load per phase: the meter less what the chargers draw (charger Q is + injection).
        var baseKW = meter.activePowerKW, baseKvar = meter.reactivePowerKvar
        for charger in plan.chargers where charger.online {
            for phase in charger.connection.phases {
                let share = charger.connection.share(of: phase)
                if charger.measuredKW.isFinite { baseKW[phase] -= share * charger.measuredKW }
                if charger.measuredKvar.isFinite { baseKvar[phase] += share * charger.measuredKvar }
            }
        }
        var history = state.loadHistory ?? LoadHistory()
        history.record(kw: baseKW, kvar: baseKvar, at: now)
        state.loadHistory = history

        var plugged = state.pluggedAt ?? [:]
        var evs: [PlannedEV] = []
        for charger in plan.chargers {
            guard charger.online else { continue }  // an EV behind a silent charger may still be there
            guard let ev = charger.ev else { plugged[charger.id] = nil; continue }
            let since = plugged[charger.id] ?? now
            plugged[charger.id] = since
            if let planned = plannedEV(charger, ev, pluggedAt: since, now: now, decisions: &plan.decisions) {
                evs.append(planned)
            }
        }
        state.pluggedAt = plugged.isEmpty ? nil : plugged

        if let reason = replanReason(state.horizon, evs: evs, baseKW: baseKW, now: now) {
            let stepS = rules.planStepMinutes * 60
            let steps = HorizonProblem.stepCount(
                start: now, departures: evs.map(\.departure), stepS: stepS, horizonS: rules.planHorizonHours * 3600)
            let forecast = history.forecast(now: now, kw: baseKW, kvar: baseKvar, steps: steps, stepS: stepS)
            let ratedPhaseA = policy.transformer.ratedKVA * 1000 / 3 / policy.transformer.nominalPhaseVoltageV
            let problem = HorizonProblem(
                start: now, stepS: stepS, evs: evs, baseKW: forecast.kw, baseKvar: forecast.kvar,
                nominalPhaseVoltageV: policy.transformer.nominalPhaseVoltageV,
                phaseLimitA: rules.phaseCurrentLimitA ?? ratedPhaseA, neutralLimitA: rules.neutralCurrentLimitA ?? ratedPhaseA,
                transformerLimitKVA: policy.transformer.ratedKVA, horizonS: rules.planHorizonHours * 3600)
            let made = HorizonPlanner.plan(problem)
            state.horizon = HorizonState(
                plan: made, madeAt: now, forecastKW: baseKW,
                departures: Dictionary(uniqueKeysWithValues: evs.map { ($0.id, $0.departure) }))
            plan.decisions.append(Decision(
                .balancing, made.outcome == .optimal ? "PLAN_MADE" : "PLAN_FALLBACK",
                "\(reason): \(evs.count) EVs over \(steps) steps of \(rounded(rules.planStepMinutes, 1)) min"
                    + " (forecast from history for \(forecast.remembered) of them, the rest the load now);"
                    + " predicted neutral peak \(rounded(made.peakNeutralA)) A"
                    + (made.outcome == .optimal ? "" : "; the \(made.failedStage ?? "") stage did not converge: the last stage that did, or each EV at the flat power its need requires")))
        }
        guard let horizon = state.horizon else { return (plan.chargers.map { _ in nil }, nil, []) }
        var fullPower: Set<String> = []
        for (i, id) in horizon.plan.evIDs.enumerated() where horizon.plan.unreachable[i] {
            fullPower.insert(id)
            plan.decisions.append(Decision(
                .balancing, "TARGET_UNREACHABLE", charger: id,
                "needs \(rounded(horizon.plan.plannedKWh[i] + horizon.plan.shortfallKWh[i])) kWh by departure but can take "
                    + "\(rounded(horizon.plan.plannedKWh[i])) kWh at full power: planned at full power, "
                    + "\(rounded(horizon.plan.shortfallKWh[i])) kWh short"))
        }
        let references = plan.chargers.map { charger in charger.online ? horizon.plan.powerKW(of: charger.id, at: now) : nil }
        return (references, horizon.plan.neutralPhasorA(at: now), fullPower)
    }

    private func replanReason(_ horizon: HorizonState?, evs: [PlannedEV], baseKW: PerPhase<Double>, now: Timestamp) -> String? {
        guard let horizon else { return "first plan" }
        let rules = policy.balancing
        if now < horizon.madeAt { return "clock went back" }
        let planned = Set(horizon.departures.keys)
        if let arrived = evs.first(where: { !planned.contains($0.id) }) { return "EV arrived at \(arrived.id)" }
        let present = Set(evs.map(\.id))
        if let left = horizon.departures.keys.sorted().first(where: { !present.contains($0) }) { return "EV left \(left)" }
        if let moved = evs.first(where: { abs(($0.departure - (horizon.departures[$0.id] ?? $0.departure))) > 60 }) {
            return "departure of \(moved.id) changed"
        }
        if now - horizon.madeAt >= rules.replanIntervalMinutes * 60 { return "periodic" }
        if now - horizon.madeAt >= 60,
           let phase = Phase.allCases.first(where: { abs(baseKW[$0] - horizon.forecastKW[$0]) > rules.replanDeviationKW }) {
            return "phase \(phase) load \(rounded(baseKW[phase])) kW against \(rounded(horizon.forecastKW[phase])) kW forecast"
        }
        if !horizon.plan.evIDs.isEmpty, horizon.plan.neutralA(at: now) == nil { return "plan ended" }
        return nil
    }

    /// What the planner needs from one EV: its limits, departure and energy, with bad or missing session data
    /// replaced by the policy's defaults (each replacement is a decision).
    func plannedEV(
        _ charger: ChargerState, _ ev: EVState, pluggedAt: Timestamp, now: Timestamp, decisions: inout [Decision]
    ) -> PlannedEV? {
        let id = charger.id
        let ratings = [charger.ratedChargeKW, charger.ratedDischargeKW, charger.ratedKVA]
        guard ratings.allSatisfy({ $0.isFinite && $0 >= 0 }) else { return nil }
        let socKnown = ev.socPercent.isFinite && (0...100).contains(ev.socPercent)
        let capacityKnown = ev.capacityKWh.isFinite && ev.capacityKWh > 0
        let rate = min(charger.ratedChargeKW, charger.ratedKVA)
        let request = ev.requestedKW.isFinite ? max(0, ev.requestedKW) : rate
        let maxCharge = (socKnown && ev.socPercent >= 100) ? 0 : min(rate, request)
        let canDischarge = CyclePlan.dischargeRefusal(charger, ev, socKnown: socKnown, policy: policy.ev) == nil
        let maxDischarge = canDischarge ? min(charger.ratedDischargeKW, charger.ratedKVA) : 0
        let floorKWh = canDischarge ? -max(0, ev.socPercent - policy.ev.minimumSoCPercent) / 100 * ev.capacityKWh : 0
        let full: Double? = socKnown && capacityKnown ? max(0, 100 - ev.socPercent) / 100 * ev.capacityKWh : nil

        var departure: Timestamp?
        if let reported = ev.departure, reported.secondsSinceEpoch.isFinite {
            if reported > now {
                departure = reported
            } else {
                decisions.append(Decision(.balancing, "DEPARTURE_IN_PAST", charger: id,
                    "reported departure \(rounded(reported.secondsSinceEpoch, 1)) is \(rounded((now - reported) / 60)) min ago: ignored"))
            }
        }
        if departure == nil {
            let dwellS = policy.balancing.defaultDwellHours * 3600
            departure = max(pluggedAt + dwellS, now + policy.balancing.planStepMinutes * 60)
            decisions.append(Decision(.balancing, "DEFAULT_DWELL", charger: id,
                "no usable departure: planned to leave \(rounded(policy.balancing.defaultDwellHours)) h after it was first seen"))
        }
        var energy: Double?
        if let reported = ev.energyNeededKWh, reported.isFinite {
            if reported >= 0 {
                energy = reported
            } else {
                decisions.append(Decision(.balancing, "ENERGY_REQUEST_NEGATIVE", charger: id,
                    "reported energy request \(rounded(reported, 100)) kWh is negative: ignored"))
            }
        }
        let hoursLeft = max(0, departure! - now) / 3600
        if energy == nil {
            decisions.append(Decision(.balancing, "ENERGY_UNKNOWN", charger: id,
                full != nil ? "no usable energy request: planned to charge to full" : "no usable energy request or SoC: planned at its request"))
        }
        let need = energy ?? full ?? maxCharge * hoursLeft
        let consent = ev.chargePastTargetAllowed ?? policy.ev.chargePastTarget
        let most = consent ? max(need, full ?? need) : need
        return PlannedEV(
            id: id, connection: charger.connection, maxChargeKW: maxCharge, maxDischargeKW: maxDischarge,
            departure: departure!, neededKWh: need, mostKWh: most, floorKWh: floorKWh,
            dischargeBudgetKWh: ev.dischargeBudgetKWh)
    }
}
