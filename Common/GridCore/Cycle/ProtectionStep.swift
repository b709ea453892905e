extension ControlCycle {
    /// Step 1: IEEE 1547 trips, ride-through and data quality. Nothing below may override what this returns.
    func protect(_ state: inout CycleState, _ plan: inout CyclePlan, inputs: CycleInputs, now: Timestamp) -> ProtectionVerdict {
        let monitor = policy.protectionMonitor
        // A standing notice while the period is too long for a function's clearing time: the agent says it once at
        // start-up and whenever the policy changes, and `status` lists it among the notices, not the alarms.
        if let notice = monitor.clearingNotice(cyclePeriodS: policy.cyclePeriodS) {
            plan.decisions.append(Decision(.protection, notice.code.rawValue, notice.message))
        }
        let (protection, verdict) = monitor.evaluate(
            state.protection, reading: inputs.meter,
            nominalPhaseVoltageV: policy.transformer.nominalPhaseVoltageV,
            cyclePeriodS: policy.cyclePeriodS, now: now
        )
        state.protection = protection
        for event in verdict.events {
            plan.decisions.append(Decision(.protection, event.code.rawValue, event.message))
        }
        if case .normal = verdict, !verdict.allowsDischarge { plan.forbidDischarge() }
        if let meter = inputs.meter, meter.voltageV.values.allSatisfy(\.isFinite) {
            let voltages = SequenceComponents(meter.voltagePhasors)
            plan.figures.unbalanceBeforePercent = voltages.unbalancePercent
            if voltages.isReverseRotation {
                plan.balance = false
                plan.decisions.append(Decision(
                    .protection, "PHASE_ROTATION_REVERSED",
                    "negative sequence dominates positive: phases wired ACB? balancing refused until fixed"))
            }
        }
        return verdict
    }

    /// A missed poll inside the stale window: no new reading to regulate on, so each charger keeps its last
    /// written P but never discharges (losing data never makes a charger discharge); Q rests at 0 until a
    /// reading arrives. Past the stale limit protection turns this into the safe state.
    func holdThroughMissedReading(_ plan: inout CyclePlan, written: [String: WrittenSetpoint]) {
        plan.forbidDischarge()
        for i in plan.chargers.indices {
            let lastKW = written[plan.chargers[i].id]?.setpoint.activePowerKW ?? 0
            plan.setpointKW[i] = min(max(lastKW, plan.minKW[i]), plan.maxKW[i])
        }
        plan.reactivePU = PerPhase(repeating: 0)
        plan.decisions.append(Decision(
            .protection, "READING_HELD", "no new meter reading this cycle: setpoints held, discharge stopped, until a reading arrives"))
    }
}
