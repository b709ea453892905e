extension ControlCycle {
    /// Step 6: ramp limits, Volt-VAR Q within each charger's kVA, the deadband, and the
    /// reversion refresh. A setpoint of 0 is a stop: it is written at once and never ramped through.
    /// First, each charger's reading is checked against what it was last told (SETPOINT_NOT_FOLLOWED).
    func write(_ state: inout CycleState, _ plan: inout CyclePlan, elapsedS: Double, now: Timestamp)
        -> (setpoints: [ChargerSetpoint], writes: [ChargerSetpoint])
    {
        let rules = policy.write
        let maxStepKW = rules.rampKWPerS * max(elapsedS, policy.cyclePeriodS)
        var setpoints: [ChargerSetpoint] = []
        var writes: [ChargerSetpoint] = []
        if let lastRun = state.lastRunAt, now - lastRun - policy.cyclePeriodS > rules.maxStallS {
            plan.decisions.append(Decision(.write, "CYCLE_STALLED",
                "\(rounded(now - lastRun)) s since the last cycle, \(rounded(now - lastRun - policy.cyclePeriodS)) s late "
                + "(write.max_stall_s \(rules.maxStallS) s): setpoints may have lapsed"))
        }
        watchSetpoints(&state, &plan, now: now)
        for (i, charger) in plan.chargers.enumerated() {
            guard charger.online else {
                // Forget what it had: when it answers again it is re-planned and written afresh.
                state.written[charger.id] = nil
                setpoints.append(ChargerSetpoint(chargerID: charger.id, activePowerKW: 0, reactivePowerKvar: 0))
                continue
            }
            let last = state.written[charger.id]
            var target = plan.setpointKW[i].isFinite ? plan.setpointKW[i] : 0
            // Never discharge beyond what the band allows, not even by a rounding error.
            if plan.minKW[i] >= 0 { target = max(target, 0) }
            if plan.maxKW[i] <= 0 { target = min(target, 0) }
            let fromKW = last?.setpoint.activePowerKW ?? (charger.measuredKW.isFinite ? charger.measuredKW : 0)
            let kw = ramp(from: fromKW, to: target, maxStepKW: maxStepKW)
            let kvar = reactive(plan, i, activeKW: kw)
            let setpoint = ChargerSetpoint(chargerID: charger.id, activePowerKW: kw, reactivePowerKvar: kvar)
            if needsWrite(setpoint, last: last, band: plan.minKW[i]...max(plan.minKW[i], plan.maxKW[i]), now: now) {
                writes.append(setpoint)
                state.written[charger.id] = WrittenSetpoint(setpoint: setpoint, at: now)
                setpoints.append(setpoint)
            } else {
                setpoints.append(last?.setpoint ?? setpoint)
            }
            if kw != target {
                plan.decisions.append(Decision(.write, "RAMP_LIMITED", charger: charger.id,
                    "moving toward \(rounded(target, 100)) kW at \(rules.rampKWPerS) kW/s"))
            }
        }
        return (setpoints, writes)
    }

    /// Q = Volt-VAR output (plus the envelope's bias) × kVA, within √(S² − P²): P has priority.
    private func reactive(_ plan: CyclePlan, _ i: Int, activeKW: Double) -> Double {
        let charger = plan.chargers[i]
        guard charger.ev != nil, charger.ratedKVA.isFinite, charger.ratedKVA > 0 else { return 0 }
        let pu = charger.connection.mean(of: plan.reactivePU) + plan.reactiveBiasPU
        let headroom = max(0, charger.ratedKVA * charger.ratedKVA - activeKW * activeKW).squareRoot()
        let kvar = min(max(pu * charger.ratedKVA, -headroom), headroom)
        return kvar.isFinite ? kvar : 0
    }

    private func needsWrite(
        _ setpoint: ChargerSetpoint, last: WrittenSetpoint?, band: ClosedRange<Double>, now: Timestamp
    ) -> Bool {
        guard let last else { return true }
        let rules = policy.write
        let old = last.setpoint
        // The deadband never keeps a charger in a direction, or at a level, the band now forbids.
        if old.activePowerKW.sign != setpoint.activePowerKW.sign || !band.contains(old.activePowerKW) { return true }
        if setpoint.activePowerKW == 0, old.activePowerKW != 0 { return true }
        if setpoint.reactivePowerKvar == 0, old.reactivePowerKvar != 0 { return true }
        if abs(setpoint.activePowerKW - old.activePowerKW) >= rules.deadbandKW { return true }
        if abs(setpoint.reactivePowerKvar - old.reactivePowerKvar) >= rules.deadbandKvar { return true }
        // Refresh well before the charger's reversion timer runs out (the margin is checked with the policy).
        return now - last.at >= rules.refreshS
    }

    /// Compares each online charger's measured P with what it was last told; a departure that outlasts its
    /// response time is SETPOINT_NOT_FOLLOWED, every cycle until it follows again.
    private func watchSetpoints(_ state: inout CycleState, _ plan: inout CyclePlan, now: Timestamp) {
        var watches: [String: SetpointWatch] = [:]
        for charger in plan.chargers where charger.online {
            guard let written = state.written[charger.id] else { continue }
            let (watch, forS) = SetpointWatch.update(
                state.setpointWatch?[charger.id], written: written, measuredKW: charger.measuredKW,
                evRequestKW: charger.ev?.requestedKW, rules: policy.write, now: now)
            watches[charger.id] = watch
            if let forS {
                plan.decisions.append(Decision(.write, "SETPOINT_NOT_FOLLOWED", charger: charger.id,
                    "measures \(rounded(charger.measuredKW, 100)) kW against the \(rounded(watch.setpointKW, 100)) kW written, "
                    + "for \(rounded(forS)) s (tolerance \(policy.write.followToleranceKW) kW, response time \(policy.write.responseTimeS) s)"))
            }
        }
        state.setpointWatch = watches.isEmpty ? nil : watches
    }
}

/// Moves from `from` toward `to`: moves toward zero are immediate (they are the safe direction),
/// moves away from zero are limited to `maxStepKW`, and a change of sign stops first.
func ramp(from: Double, to: Double, maxStepKW: Double) -> Double {
    if to == 0 { return 0 }
    let start = (from == 0 || (from > 0) != (to > 0)) ? 0 : from
    if abs(to) <= abs(start) { return to }
    return to > 0 ? min(to, start + maxStepKW) : max(to, start - maxStepKW)
}
