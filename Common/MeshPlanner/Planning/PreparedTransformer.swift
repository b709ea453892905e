import GridCore

/// A fresh transformer read once for the pass: its EVs' bounds, its household load, its thermal limit and its
/// ranges in the two modes a pass may use.
struct PreparedTransformer: Sendable {
    let report: TransformerReport
    let bounds: [ChargerBounds]
    let pools: PhasePools
    /// The meter's P per phase less what the online chargers draw.
    let householdKW: SIMD3<Double>
    let reactiveKvar: Double
    let thermal: TransformerThermal
    /// [−R − B, R − B] with R = √(S_allowed² − Q²), B = Σ household: P keeps (B + P)² + Q² ≤ S_allowed².
    let thermalKW: KilowattInterval
    /// The charging mode (an absorb pass) and the mode a discharge pass prefers.
    let charging: ModeRange
    let discharging: ModeRange

    /// One mode's polytope and the exact range of Σx, with and without the phase balance limit and the thermal limit.
    struct ModeRange: Sendable {
        let mode: FleetMode
        let polytope: PhasePolytope
        /// Σx over the EV and balance limits alone.
        let box: KilowattInterval
        /// Σx over the EV limits alone (no balance limit): to tell which limit binds.
        let unbalanced: KilowattInterval
        /// `box` ∩ the thermal interval; nil when they do not meet.
        let range: KilowattInterval?
    }

    enum Preparation {
        case ready(PreparedTransformer)
        case leftOut(LeftOutTransformer)
    }

    /// The transformer ready to plan, or left out with its reason.
    static func prepare(_ report: TransformerReport, now: Timestamp, settings: PlannerSettings) -> Preparation {
        let importKW = report.phases.a.activePowerKW + report.phases.b.activePowerKW + report.phases.c.activePowerKW
        func leave(_ reason: LeftOutReason, _ detail: String) -> Preparation {
            .leftOut(LeftOutTransformer(id: report.id, reason: reason, detail: detail, importKW: importKW))
        }
        let age = now - report.reportTime
        if age > settings.maxReportAgeS {
            return leave(.stale, "report \(format(age)) s old (limit \(format(settings.maxReportAgeS)) s)")
        }
        if -age > settings.maxReportAgeS {
            return leave(.futureReport, "report dated \(format(-age)) s after now (limit \(format(settings.maxReportAgeS)) s)")
        }
        let thermal = TransformerThermal(report, horizonMinutes: settings.horizonMinutes)
        var household = SIMD3(report.phases.a.activePowerKW, report.phases.b.activePowerKW, report.phases.c.activePowerKW)
        for charger in report.chargers where charger.online {
            for phase in charger.connection.phases { household[phase.index] -= charger.connection.share(of: phase) * charger.powerKW }
        }
        let reactive = report.phases.a.reactivePowerKvar + report.phases.b.reactivePowerKvar + report.phases.c.reactivePowerKvar
        let allowedKVA = thermal.maxLoadPU * report.ratedKVA
        guard thermal.maxLoadPU > 0, allowedKVA > abs(reactive) else {
            return leave(.noThermalHeadroom, "hot-spot \(format(report.thermal.hotSpotC)) °C: no load keeps it under \(format(thermal.aimC)) °C over \(format(thermal.horizonMinutes)) min")
        }
        let room = (allowedKVA * allowedKVA - reactive * reactive).squareRoot()
        let base = household.sum()
        let thermalKW = KilowattInterval(-room - base, room - base)

        let horizonH = settings.horizonMinutes / 60
        let bounds = report.chargers.map { ChargerBounds($0, now: now, horizonH: horizonH) }
        let pools = PhasePools(chargers: report.chargers, bounds: bounds)
        let balance = report.phaseBalanceLimitKW ?? settings.defaultBalanceFraction * report.ratedKVA / 3
        func modeRange(_ mode: FleetMode) -> ModeRange {
            let polytope = PhasePolytope(pools: pools, mode: mode, householdKW: household, balanceLimitKW: balance)
            let free = PhasePolytope(pools: pools, mode: mode, householdKW: household, balanceLimitKW: nil)
            // The idle plan satisfies both, so neither is empty; the guard only catches rounding gone wrong.
            let box = polytope.extremes().map { KilowattInterval($0.low.sum(), $0.high.sum()) } ?? KilowattInterval(0, 0)
            let unbalanced = free.extremes().map { KilowattInterval($0.low.sum(), $0.high.sum()) } ?? box
            let low = max(box.lowerKW, thermalKW.lowerKW)
            let high = min(box.upperKW, thermalKW.upperKW)
            return ModeRange(mode: mode, polytope: polytope, box: box, unbalanced: unbalanced, range: low <= high ? KilowattInterval(low, high) : nil)
        }
        let charging = modeRange(.charging)
        let discharging = pools.dischargePassMode == .charging ? charging : modeRange(pools.dischargePassMode)
        guard charging.range != nil || discharging.range != nil else {
            let lowest = min(charging.box.lowerKW, discharging.box.lowerKW)
            if thermalKW.upperKW < lowest, lowest <= 0 {
                return leave(.householdOverThermal, "the household load \(format(base)) kW alone is over the thermal limit (P ≤ \(format(thermalKW.upperKW)) kW) and no EV here can discharge")
            }
            if thermalKW.upperKW < lowest {
                return leave(.evNeedOverThermal, "EVs that must charge need ≥ \(format(lowest)) kW; the thermal limit allows \(format(thermalKW.upperKW)) kW")
            }
            // Every number, so that a case the two labels above do not explain can be read from the detail alone.
            return leave(.reverseFlowOverThermal, "reverse flow needs the EVs to take ≥ \(format(thermalKW.lowerKW)) kW; they can take \(format(max(charging.box.upperKW, discharging.box.upperKW))) kW"
                + " (thermal \(format(thermalKW.lowerKW))…\(format(thermalKW.upperKW)) kW; charging \(format(charging.box.lowerKW))…\(format(charging.box.upperKW)) kW;"
                + " \(pools.dischargePassMode) \(format(discharging.box.lowerKW))…\(format(discharging.box.upperKW)) kW)")
        }
        return .ready(PreparedTransformer(
            report: report, bounds: bounds, pools: pools, householdKW: household, reactiveKvar: reactive, thermal: thermal,
            thermalKW: thermalKW, charging: charging, discharging: discharging))
    }

    /// The mode a pass uses here: the pass's own when its range meets the thermal limit, else the other.
    func modeRange(for pass: NeighborhoodPlan.Pass) -> ModeRange {
        let (preferred, other) = pass == .discharge ? (discharging, charging) : (charging, discharging)
        return preferred.range != nil ? preferred : other
    }

    /// h_i: the thermal room from zero EV power in the pass's direction, at least 1 W so the objective stays
    /// strictly convex (a transformer with none moves only once every other one is at its limit).
    func headroomKW(_ pass: NeighborhoodPlan.Pass) -> Double {
        max(pass == .discharge ? -thermalKW.lowerKW : thermalKW.upperKW, MeshPlanner.minimumHeadroomKW)
    }

    /// What holds P_i at the bound in `direction` (+1 up, −1 down) of `mode`.
    func limit(_ mode: ModeRange, direction: Double) -> PlanLimit {
        let tolerance = 1e-6
        if direction > 0 {
            if thermalKW.upperKW < mode.box.upperKW - tolerance { return .thermal }
            if mode.box.upperKW < mode.unbalanced.upperKW - tolerance { return .phaseBalance }
        } else {
            if thermalKW.lowerKW > mode.box.lowerKW + tolerance { return .thermal }
            if mode.box.lowerKW > mode.unbalanced.lowerKW + tolerance { return .phaseBalance }
        }
        return .evFleet
    }

    /// Among the EVs, what holds back the most kW of their ratings in `direction` within `mode`.
    func evLimit(_ mode: FleetMode, direction: Double) -> EVLimit {
        var held: [EVLimit: Double] = [:]
        for (charger, b) in zip(report.chargers, bounds) {
            if direction > 0 {
                held[b.upperReason, default: 0] += b.ratedChargeKW - b.upperKW
            } else {
                // Discharge the mode rules out because an EV here must charge now counts as the departure need.
                let allowed = mayDischarge(charger.connection, mode) ? b.lowerKW : max(b.lowerKW, 0)
                held[b.lowerReason, default: 0] += b.ratedDischargeKW + b.lowerKW
                held[.departureNeed, default: 0] += allowed - b.lowerKW
            }
        }
        let best = EVLimit.allCases.max { (held[$0] ?? 0) < (held[$1] ?? 0) }
        return best.flatMap { (held[$0] ?? 0) > 1e-9 ? $0 : nil } ?? .chargerRating
    }

    private func mayDischarge(_ connection: PhaseConnection, _ mode: FleetMode) -> Bool {
        switch (mode, connection) {
        case (.discharging, _): true
        case (.charging, _), (.mixed, .threePhase): false
        case (.mixed, .single(let phase)): pools.mustCharge[phase.index] == 0
        }
    }
}
