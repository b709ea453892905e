/// One control cycle of the agent: a pure function of (state, inputs, policy, now).
///
/// The steps run in strict precedence; each one only narrows what the
/// steps after it may do, and returns its decisions with reasons:
///   1. protection   — ProtectionStep.swift
///   2. thermal      — ThermalStep.swift
///   3. envelope     — EnvelopeStep.swift
///   4. curves       — CurvesStep.swift
///   5. balancing    — BalancingStep.swift
///   6. write        — WriteStep.swift
public struct ControlCycle: Sendable {
    public var policy: ControlPolicy

    public init(policy: ControlPolicy) {
        self.policy = policy
    }

    public func run(_ state: CycleState, inputs: CycleInputs, now: Timestamp) -> CycleOutcome {
        var next = state
        var plan = CyclePlan(chargers: inputs.chargers, policy: policy, now: now)
        // Seconds since the previous cycle, for filters and ramps; bounded so a long gap cannot overshoot.
        let elapsedS = state.lastRunAt.map { min(max(now - $0, 0), 60 * policy.cyclePeriodS) } ?? 0

        let verdict = protect(&next, &plan, inputs: inputs, now: now)
        let mode: CycleOutcome.Mode
        switch verdict {
        case .ceaseToEnergize, .momentaryCessation:
            // A trip, or momentary cessation: output stops at once; only a trip waits for enter service after.
            mode = verdict.isMomentaryCessation ? .momentaryCessation : .ceased
            plan.setpointKW = Array(repeating: 0, count: plan.chargers.count)
            plan.reactivePU = PerPhase(repeating: 0)
        case .safeState:
            mode = .safeState
            holdSafeState(&next, &plan, inputs: inputs, elapsedS: elapsedS, now: now)
        case .normal:
            mode = .regulating
            // Protection holds the last good reading through a missed poll inside the stale window.
            guard let meter = inputs.meter else {
                holdThroughMissedReading(&plan, written: next.written)
                break
            }
            limitThermally(&next, &plan, meter: meter, inputs: inputs, elapsedS: elapsedS)
            applyEnvelope(&plan, inputs.envelope, now: now)
            applyCurves(&next, &plan, meter: meter, elapsedS: elapsedS)
            balance(&next, &plan, meter: meter, now: now)
        }
        let (setpoints, writes) = write(&next, &plan, elapsedS: elapsedS, now: now)
        next.lastRunAt = now
        plan.figures.evTotalKW = setpoints.reduce(0) { $0 + $1.activePowerKW }
        return CycleOutcome(
            mode: mode, setpoints: setpoints, writes: writes, state: next, decisions: plan.decisions, figures: plan.figures
        )
    }
}
