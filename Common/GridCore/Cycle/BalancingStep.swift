extension ControlCycle {
    /// Step 5: within the bands left by steps 1–4, choose each charger's P to minimise the neutral
    /// current while staying close to what each driver needs (PhaseBalancer solves the QP exactly).
    /// Then give each charger its Volt-VAR Q within what its kVA leaves after P.
    func balance(_ plan: inout CyclePlan, meter: MeterReading) {
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

        let problem = BalancingProblem(
            chargers: plan.chargers.indices.map { i in
                BalancingCharger(
                    id: plan.chargers[i].id, connection: plan.chargers[i].connection,
                    minKW: plan.minKW[i], maxKW: plan.maxKW[i], requestKW: plan.requestKW[i], weight: plan.weight[i])
            },
            baseCurrentA: base, ampsPerKW: ampsPerKW,
            neutralWeight: (policy.balancing.enabled && plan.balance) ? policy.balancing.neutralWeight : 0,
            phaseLimitsKW: plan.phaseKW, totalLimitsKW: plan.fleetKW
        )
        let solution = PhaseBalancer.solve(problem)
        plan.setpointKW = solution.setpointsKW
        for i in plan.chargers.indices where abs(plan.setpointKW[i] - plan.requestKW[i]) >= 0.05 {
            let bounded = min(max(plan.requestKW[i], plan.minKW[i]), plan.maxKW[i])
            let (code, why) = abs(plan.setpointKW[i] - bounded) < 0.05
                ? ("LIMITED", "request \(rounded(plan.requestKW[i], 100)) kW limited to [\(rounded(plan.minKW[i], 100)), \(rounded(plan.maxKW[i], 100))] kW")
                : ("BALANCED", "request \(rounded(plan.requestKW[i], 100)) kW moved to \(rounded(plan.setpointKW[i], 100)) kW to lower the neutral current or meet a fleet limit")
            plan.decisions.append(Decision(.balancing, code, charger: plan.chargers[i].id, why))
        }
        plan.figures.neutralCurrentAfterA = solution.neutralCurrentA
        for relaxation in solution.relaxations {
            plan.decisions.append(Decision(.balancing, "LIMIT_UNREACHABLE", "\(relaxation)"))
        }
        plan.figures.unbalanceAfterPercent = predictedUnbalance(meter: meter, plan: plan, ampsPerKW: ampsPerKW)
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
