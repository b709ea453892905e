extension ControlCycle {
    /// Step 3: the aggregator's envelope, only when fresh. It can only narrow the plan.
    func applyEnvelope(_ plan: inout CyclePlan, _ envelope: Envelope?, now: Timestamp) {
        guard let envelope else {
            plan.decisions.append(Decision(.envelope, "AUTONOMOUS", "no envelope: regulating on the cached policy"))
            return
        }
        guard envelope.isFresh(at: now) else {
            plan.decisions.append(Decision(
                .envelope, "ENVELOPE_EXPIRED", "envelope #\(envelope.sequence) expired at \(envelope.validUntil); autonomous"))
            return
        }
        if let fleet = envelope.transformerKW {
            if !plan.narrowFleet(fleet) {
                plan.decisions.append(Decision(
                    .envelope, "ENVELOPE_CONFLICT",
                    "envelope \(fleet) kW does not overlap the thermal bounds; thermal limit kept"))
            }
            if fleet.upperBound <= 0 { plan.forbidCharging() }
            if fleet.lowerBound >= 0 { plan.forbidDischarge() }
        }
        if let phases = envelope.phaseKW {
            plan.phaseKW = phases
            for i in plan.chargers.indices {
                let on = plan.chargers[i].connection.phases
                if on.contains(where: { phases[$0].upperBound <= 0 }) { plan.maxKW[i] = min(plan.maxKW[i], 0) }
                if on.contains(where: { phases[$0].lowerBound >= 0 }) { plan.minKW[i] = max(plan.minKW[i], 0) }
            }
        }
        plan.reactiveBiasPU = envelope.reactiveBiasPU
        plan.decisions.append(Decision(.envelope, "ENVELOPE_APPLIED", "envelope #\(envelope.sequence) applied"))
    }
}
