extension ControlCycle {
    /// Step 5: keep the horizon plan current (`followHorizon`), then, within the bands left by steps 1–4, choose
    /// each charger's P to stay close to the plan's power for now while lowering the neutral current
    /// (PhaseBalancer solves the QP exactly). Deviations are weighed relative to each EV's rate, so a cut is
    /// shared in proportion to the EVs' sizes rather than as a flat kW that would stop a small EV.
    static let fullPowerWeightFactor = 10.0

    func balance(_ state: inout CycleState, _ plan: inout CyclePlan, meter: MeterReading, now: Timestamp) {
        let balancing = policy.balancing.enabled && plan.balance
        let (references, plannedNeutral, fullPower) = balancing && policy.balancing.horizonEnabled
            ? followHorizon(&state, &plan, meter: meter, now: now) : ([], nil, [])
        for (i, reference) in references.enumerated() {
            guard let reference, reference.isFinite else { continue }
            plan.requestKW[i] = reference
            plan.weight[i] = policy.balancing.trackingWeight / max(Self.rateKW(plan.chargers[i]), 1)
            // An EV short of its target even at full power holds its rate against the neutral term (its driver's
            // energy ranks above the neutral current), and under a cut from steps 1–4 it gives up a tenth of what
            // the others do, relative to its rate: it already has the largest shortfall. Weighted, never pinned,
            // so the hard limits still win.
            if fullPower.contains(plan.chargers[i].id) { plan.weight[i] *= Self.fullPowerWeightFactor }
        }
        let voltages = meter.voltagePhasors
        let ampsPerKW = voltages.map { v in v.magnitude > 0 ? (1000 / v.magnitude) * Phasor(magnitude: 1, angleDegrees: v.angleDegrees) : .zero }
        // The base: the meter's phase currents less what the chargers draw now.
        var base = meter.currentPhasors
        for charger in plan.chargers where charger.online && charger.measuredKW.isFinite {
            for phase in Phase.allCases {
                base[phase] = base[phase] - (charger.connection.share(of: phase) * charger.measuredKW) * ampsPerKW[phase]
            }
        }
        plan.figures.neutralCurrentBeforeA = meter.currentPhasors.neutralMagnitude
        // With a plan, the neutral term weighs the departure from the neutral current the plan predicts for now: the
        // plan already chose how much neutral current to accept now for the energy it must deliver, and the cycle
        // corrects only what the forecast got wrong. Without the shift every cycle would trade energy for a lower
        // neutral current, and the EVs on the heavy phase would fall behind the plan all evening.
        var shiftedBase = base
        if let plannedNeutral, references.contains(where: { $0 != nil }) {
            shiftedBase.a = shiftedBase.a - plannedNeutral
        }

        let problem = BalancingProblem(
            chargers: plan.chargers.indices.map { i in
                BalancingCharger(
                    id: plan.chargers[i].id, connection: plan.chargers[i].connection,
                    minKW: plan.minKW[i], maxKW: plan.maxKW[i], requestKW: plan.requestKW[i], weight: plan.weight[i])
            },
            baseCurrentA: shiftedBase, ampsPerKW: ampsPerKW,
            neutralWeight: balancing ? policy.balancing.neutralWeight : 0,
            phaseLimitsKW: plan.phaseKW, totalLimitsKW: plan.fleetKW
        )
        let solution = PhaseBalancer.solve(problem)
        plan.setpointKW = solution.setpointsKW
        if solution.outcome == .fallback {
            plan.decisions.append(Decision(
                .balancing, "BALANCING_FALLBACK",
                "the QP did not pass its optimality check after \(solution.iterations) iterations: each charger at its "
                    + "reference moved onto the limits, without balancing"))
        }
        for i in plan.chargers.indices where abs(plan.setpointKW[i] - plan.requestKW[i]) >= 0.05 {
            let bounded = min(max(plan.requestKW[i], plan.minKW[i]), plan.maxKW[i])
            let (code, why) = abs(plan.setpointKW[i] - bounded) < 0.05
                ? ("LIMITED", "request \(rounded(plan.requestKW[i], 100)) kW limited to [\(rounded(plan.minKW[i], 100)), \(rounded(plan.maxKW[i], 100))] kW")
                : ("BALANCED", "reference \(rounded(plan.requestKW[i], 100)) kW moved to \(rounded(plan.setpointKW[i], 100)) kW to lower the neutral current or meet a fleet limit")
            plan.decisions.append(Decision(.balancing, code, charger: plan.chargers[i].id, why))
        }
        var unshifted = problem
        unshifted.baseCurrentA = base
        plan.figures.neutralCurrentAfterA = PhaseBalancer.neutralCurrentA(of: solution.setpointsKW, in: unshifted)
        for relaxation in solution.relaxations {
            plan.decisions.append(Decision(.balancing, "LIMIT_UNREACHABLE", "\(relaxation)"))
        }
        plan.figures.unbalanceAfterPercent = predictedUnbalance(meter: meter, plan: plan, ampsPerKW: ampsPerKW)
    }

    /// The EV's own rate: what it may charge (its request within the rating) or discharge, whichever is larger.
    static func rateKW(_ charger: ChargerState) -> Double {
        guard let ev = charger.ev else { return 0 }
        let request = ev.requestedKW.isFinite ? max(0, ev.requestedKW) : charger.ratedChargeKW
        let charge = min(charger.ratedChargeKW, request)
        let discharge = ev.dischargeAllowed ? charger.ratedDischargeKW : 0
        let rate = max(charge, discharge)
        return rate.isFinite ? rate : 0
    }

    /// VUF after the plan, from the change in phase currents through the transformer's impedance.
    /// A dry-run figure only: the feeder beyond the transformer is not modelled.
    private func predictedUnbalance(meter: MeterReading, plan: CyclePlan, ampsPerKW: PerPhase<Phasor>) -> Double {
        let rating = policy.transformer
        let phaseVA = rating.ratedKVA * 1000 / 3
        let zBaseOhm = rating.nominalPhaseVoltageV * rating.nominalPhaseVoltageV / phaseVA
        let zOhm = rating.impedancePercent / 100 * zBaseOhm
        let r = zOhm / (1 + rating.xOverR * rating.xOverR).squareRoot()
        let impedance = Phasor(real: r, imaginary: r * rating.xOverR)
        var voltages = meter.voltagePhasors
        for (i, charger) in plan.chargers.enumerated() where charger.online {
            let deltaKW = plan.setpointKW[i] - (charger.measuredKW.isFinite ? charger.measuredKW : 0)
            for phase in Phase.allCases {
                let deltaI = (charger.connection.share(of: phase) * deltaKW) * ampsPerKW[phase]
                voltages[phase] = voltages[phase] - impedance * deltaI
            }
        }
        return SequenceComponents(voltages).unbalancePercent
    }
}
