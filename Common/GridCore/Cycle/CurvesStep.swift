extension ControlCycle {
    /// Step 4: Volt-Watt (discharge and charging), frequency droop and Volt-VAR, per phase on that
    /// phase's voltage, each through its IEEE 1547.1 open-loop response (90 % of a step at Tr).
    func applyCurves(_ state: inout CycleState, _ plan: inout CyclePlan, meter: MeterReading, elapsedS: Double) {
        let voltagePU = meter.voltageV.map { $0 / policy.transformer.nominalPhaseVoltageV }

        // Autonomous VRef follows the slow average of each phase's voltage (IEEE 1547 §5.3.5).
        var vRef = state.vRef ?? PerPhase(repeating: AutonomousVRef(timeConstantS: policy.voltVar.vRefTimeConstantS, initialVRefPU: policy.voltVar.vRefPU))
        let vRefPU = PerPhase<Double> { phase in
            policy.voltVar.autonomousVRefEnabled ? vRef[phase].update(voltagePU: voltagePU[phase], dtS: elapsedS) : policy.voltVar.vRefPU
        }
        state.vRef = vRef

        let dischargeTarget = voltagePU.map { policy.voltWatt.maxDischargePU(atVoltagePU: $0) }
        let chargeTarget = voltagePU.map { policy.chargingVoltWatt.maxChargePU(atVoltagePU: $0) }
        let reactiveTarget = PerPhase<Double> { policy.voltVar.reactivePowerPU(atVoltagePU: voltagePU[$0], vRefPU: vRefPU[$0]) }
        let dischargePU = respond(&state.dischargeLimitResponse, toward: dischargeTarget, tr: policy.voltWatt.responseTimeS, elapsedS)
        let chargePU = respond(&state.chargeLimitResponse, toward: chargeTarget, tr: policy.chargingVoltWatt.responseTimeS, elapsedS)
        plan.reactivePU = respond(&state.reactiveResponse, toward: reactiveTarget, tr: policy.voltVar.responseTimeS, elapsedS)

        var droop = state.droopResponse ?? OpenLoopResponse(responseTimeS: policy.frequencyDroop.responseTimeS, initial: 0)
        let exportChangePU = droop.advance(toward: policy.frequencyDroop.exportChangePU(frequencyHz: meter.frequencyHz), dtS: elapsedS)
        state.droopResponse = droop

        for i in plan.chargers.indices where plan.chargers[i].online {
            let charger = plan.chargers[i]
            let discharge = charger.connection.minimum(of: dischargePU)
            let charge = charger.connection.minimum(of: chargePU)
            if plan.minKW[i] < 0, discharge < 1 {
                plan.minKW[i] = max(plan.minKW[i], -discharge * charger.ratedDischargeKW)
                plan.decisions.append(Decision(.curves, "VOLT_WATT_DISCHARGE", charger: charger.id,
                    "high voltage: discharge limited to \(rounded(discharge * 100)) % of rating"))
            }
            if plan.maxKW[i] > 0, charge < 1 {
                plan.maxKW[i] = min(plan.maxKW[i], charge * charger.ratedChargeKW)
                plan.decisions.append(Decision(.curves, "VOLT_WATT_CHARGE", charger: charger.id,
                    "low voltage: charging limited to \(rounded(charge * 100)) % of rating"))
            }
            applyDroop(&plan, i, exportChangePU: exportChangePU)
        }
    }

    /// Frequency droop moves the charger away from its request by ΔP = exportChange × rating,
    /// inside the band that the steps above left (IEEE 1547 §6.5.2).
    private func applyDroop(_ plan: inout CyclePlan, _ i: Int, exportChangePU: Double) {
        guard exportChangePU != 0, exportChangePU.isFinite else { return }
        let charger = plan.chargers[i]
        let rating = max(charger.ratedChargeKW, charger.ratedDischargeKW)
        let target = plan.requestKW[i] - exportChangePU * rating
        if exportChangePU > 0 {
            plan.maxKW[i] = max(plan.minKW[i], min(plan.maxKW[i], target))
        } else {
            plan.minKW[i] = min(plan.maxKW[i], max(plan.minKW[i], target))
        }
        plan.decisions.append(Decision(.curves, "FREQUENCY_DROOP", charger: charger.id,
            "frequency response: export change \(rounded(exportChangePU * 100)) % of rating"))
    }

    /// Advances one open-loop response per phase; the first cycle starts settled on the target.
    private func respond(
        _ response: inout PerPhase<OpenLoopResponse>?, toward target: PerPhase<Double>, tr: Double, _ elapsedS: Double
    ) -> PerPhase<Double> {
        var filters = response ?? target.map { OpenLoopResponse(responseTimeS: tr, initial: $0) }
        let output = PerPhase<Double> { filters[$0].advance(toward: target[$0], dtS: elapsedS) }
        response = filters
        return output
    }
}
