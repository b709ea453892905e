public import GridCore
public import MeshPlanner
import FoundationEssentials

/// The agent's side of the state report (`POST /v1/agents/{id}/state`, docs/envelopes.md): the wire type is shared
/// with the aggregator (`StateReportDocument`, MeshPlanner); building it from a cycle is the agent's, and pure.
extension StateReportDocument {
    /// The report of one cycle: `inputs` as the cycle saw them, its `outcome`, under `policy`. A reading that is
    /// NaN, infinite or outside what the aggregator accepts (a broken register) is left out, never sent as garbage.
    public init(agentID: String, sequence: Int, now: Timestamp, inputs: CycleInputs, outcome: CycleOutcome, policy: ControlPolicy) {
        typealias P = Plausible
        let phases = inputs.meter.map { meter in
            PerPhase<PhaseState> { (phase: Phase) -> PhaseState in
                PhaseState(
                    activePowerKW: reading(meter.activePowerKW[phase], in: P.phaseKW),
                    reactivePowerKvar: reading(meter.reactivePowerKvar[phase], in: P.phaseKW),
                    voltageV: reading(meter.voltageV[phase], in: P.voltageV), currentA: reading(meter.currentA[phase], in: P.currentA))
            }
        }
        let figures = outcome.figures
        var parameters = policy.thermal.parameters
        // The start of a simulation, not a property of the transformer.
        (parameters.initialTopOilC, parameters.initialHotSpotRiseK) = (nil, nil)
        let thermal = Thermal(
            topOilC: reading(outcome.state.thermal?.topOilC, in: P.topOilC),
            hotSpotC: reading(figures.hotSpotC ?? outcome.state.thermal?.hotSpotC, in: P.hotSpotC),
            forecastHotSpotC: reading(figures.forecastHotSpotC, in: P.hotSpotC),
            // As the thermal step chooses it: the sensor when it reads plausibly, else the policy's default.
            ambientC: reading(inputs.ambientC, in: P.ambientC) ?? policy.thermal.defaultAmbientC,
            parameters: parameters, hotSpotLimitC: policy.thermal.hotSpotLimitC, marginK: policy.thermal.marginK,
            horizonMinutes: policy.thermal.horizonMinutes, loadKVA: reading(figures.loadKVA, in: P.loadKVA),
            allowedKVA: reading(figures.allowedKVA, in: P.loadKVA),
            headroomKVA: reading(figures.allowedKVA.flatMap { allowed in figures.loadKVA.map { allowed - $0 } }, in: P.headroomKVA))
        let setpoints = Dictionary(outcome.setpoints.map { ($0.chargerID, $0.activePowerKW) }, uniquingKeysWith: { first, _ in first })
        let chargers = inputs.chargers.map { charger in
            // A rating that is not a number is held at 0 by the cycle; reported so, the planner holds it at 0 too.
            Charger(
                id: charger.id, connection: charger.connection, online: charger.online,
                activePowerKW: reading(charger.measuredKW, in: P.chargerKW), setpointKW: reading(setpoints[charger.id], in: P.chargerKW),
                ratedChargeKW: reading(charger.ratedChargeKW, in: P.chargerRating) ?? 0,
                ratedDischargeKW: reading(charger.ratedDischargeKW, in: P.chargerRating) ?? 0,
                ratedKVA: reading(charger.ratedKVA, in: P.chargerRating) ?? 0,
                ev: charger.ev.map { EV($0, policy: policy.ev) })
        }
        self.init(
            agentID: agentID, sequence: sequence, at: now, mode: outcome.mode, policyVersion: policy.version,
            envelopeSequence: outcome.decisions.contains { $0.code == "ENVELOPE_APPLIED" } ? inputs.envelope?.sequence : nil,
            ratedKVA: policy.transformer.ratedKVA, dischargeEnabled: policy.ev.dischargeEnabled, phaseBalanceLimitKW: nil,
            phases: phases, thermal: thermal, chargers: chargers)
    }

    /// The report as compact JSON, keys sorted (about 3 KB for a dozen chargers). Every number in it is finite
    /// (`reading` drops the rest), so encoding cannot fail.
    public func encoded() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? Array(encoder.encode(self))) ?? []
    }
}

/// A reading within what the aggregator accepts, to the thousandth (1 W, 1 Wh, 0.001 °C: finer than any meter
/// here, and it keeps a dozen chargers within about 3 KB); nil otherwise.
private func reading(_ value: Double?, in range: ClosedRange<Double>) -> Double? {
    StateReportDocument.Plausible.value(value, in: range).map { ($0 * 1000).rounded() / 1000 }
}

extension StateReportDocument.EV {
    /// The EV's energies from its SoC and capacity; each is left out when either is implausible.
    init(_ ev: EVState, policy: EVLimits) {
        typealias P = StateReportDocument.Plausible
        let soc = reading(ev.socPercent, in: P.socPercent)
        let capacity = P.value(ev.capacityKWh, in: P.energyKWh).flatMap { $0 > 0 ? $0 : nil }
        func energy(_ percent: (Double) -> Double) -> Double? {
            guard let soc, let capacity else { return nil }
            return reading(max(0, percent(soc)) / 100 * capacity, in: P.energyKWh)
        }
        self.init(
            socPercent: soc, energyAvailableKWh: energy { $0 - policy.minimumSoCPercent }, energyToFullKWh: energy { 100 - $0 },
            energyNeededKWh: reading(ev.energyNeededKWh.map { max(0, $0) }, in: P.energyKWh),
            departure: ev.departure.flatMap { (0...253_402_300_799).contains($0.secondsSinceEpoch) ? $0 : nil },
            dischargeAllowed: ev.dischargeAllowed, chargePastTarget: ev.chargePastTargetAllowed ?? policy.chargePastTarget)
    }
}
