import GridCore

/// Why a well-formed state report cannot be planned on: the field that is missing and what that means.
/// `description` reads "phases: no meter reading this cycle".
public struct StateReportRefusal: Error, Sendable, Hashable, CustomStringConvertible {
    /// The report's key, as a path ("phases.B.p_kw", "thermal.hot_spot_c", "mode").
    public let field: String
    public let reason: String

    init(_ field: String, _ reason: String) {
        self.field = field
        self.reason = reason
    }

    /// Short and low-cardinality: safe as a metric label.
    public var label: String { "state.unplannable" }

    public var description: String { "\(field): \(reason)" }
}

extension StateReportDocument {
    /// The planner's view of this report (docs/envelopes.md, "What the planner makes of a report"). Refused, with
    /// the field named, when the planner would have to guess the transformer's load or temperature:
    /// - `mode` `safe_state`: the agent itself does not trust its meter;
    /// - no `phases`, or a phase without `p_kw` or `q_kvar`;
    /// - no `thermal.top_oil_c` or `thermal.hot_spot_c` (no thermal estimate yet).
    ///
    /// Every other gap has one stated reading, chosen so that the plan never counts on power it cannot account for:
    /// - `ceased` or `momentary_cessation`: every charger planned at 0 (offline), the household load still counted;
    /// - a charger without `p_kw`: planned at 0 (offline), as one the agent lost;
    /// - `v_v`, `i_a` absent: 0 (the planner does not read them);
    /// - an EV without `energy_needed_kwh`: it needs the energy to full, as the agent's own plan assumes; with
    ///   neither known (no SoC) it needs 0, so it is never planned to charge on a guess;
    /// - an EV without `soc_pct`: planned as not full (the planner reads the SoC only to stop a full battery);
    /// - discharge only with the driver's consent, `discharge_enabled` and a known `energy_available_kwh`;
    /// - room past the target: `energy_to_full_kwh` when `charge_past_target`, else none.
    public func transformerReport() throws(StateReportRefusal) -> TransformerReport {
        if mode == .safeState {
            throw StateReportRefusal("mode", "safe_state: the agent does not trust its own readings this cycle")
        }
        guard let phases else { throw StateReportRefusal("phases", "no meter reading this cycle") }
        var measured: [PhaseMeasurement] = []
        for phase in Phase.allCases {
            let state = phases[phase]
            guard let p = state.activePowerKW else { throw StateReportRefusal("phases.\(phase.rawValue).p_kw", "the meter gave no active power") }
            guard let q = state.reactivePowerKvar else {
                throw StateReportRefusal("phases.\(phase.rawValue).q_kvar", "the meter gave no reactive power")
            }
            measured.append(PhaseMeasurement(activePowerKW: p, reactivePowerKvar: q, voltageV: state.voltageV ?? 0, currentA: state.currentA ?? 0))
        }
        guard let topOil = thermal.topOilC else { throw StateReportRefusal("thermal.top_oil_c", "no thermal estimate yet") }
        guard let hotSpot = thermal.hotSpotC else { throw StateReportRefusal("thermal.hot_spot_c", "no thermal estimate yet") }
        let stopped = mode == .ceased || mode == .momentaryCessation
        return TransformerReport(
            id: agentID, reportTime: at, ratedKVA: ratedKVA, phases: PerPhase(a: measured[0], b: measured[1], c: measured[2]),
            thermal: TransformerThermalReport(
                // The model's winding lags its oil on a falling load; the planner starts from a rise ≥ 0 either way.
                topOilC: topOil, hotSpotC: max(hotSpot, topOil), ambientC: thermal.ambientC, parameters: thermal.parameters,
                hotSpotLimitC: thermal.hotSpotLimitC, marginK: thermal.marginK, horizonMinutes: thermal.horizonMinutes),
            phaseBalanceLimitKW: phaseBalanceLimitKW,
            chargers: chargers.map { $0.chargerReport(stopped: stopped, dischargeEnabled: dischargeEnabled) })
    }
}

extension StateReportDocument.Charger {
    func chargerReport(stopped: Bool, dischargeEnabled: Bool) -> ChargerReport {
        let online = online && !stopped && activePowerKW != nil
        return ChargerReport(
            id: id, connection: connection, powerKW: activePowerKW ?? 0, ratedChargeKW: ratedChargeKW, ratedDischargeKW: ratedDischargeKW,
            ratedKVA: ratedKVA, online: online, ev: ev.map { $0.evReport(dischargeEnabled: dischargeEnabled) })
    }
}

extension StateReportDocument.EV {
    func evReport(dischargeEnabled: Bool) -> EVReport {
        EVReport(
            socPercent: socPercent ?? 0, energyAvailableKWh: energyAvailableKWh ?? 0,
            energyNeededKWh: energyNeededKWh ?? energyToFullKWh ?? 0, departure: departure,
            v2gAgreed: dischargeAllowed && dischargeEnabled && energyAvailableKWh != nil,
            energyRoomKWh: chargePastTarget ? energyToFullKWh : nil)
    }
}
