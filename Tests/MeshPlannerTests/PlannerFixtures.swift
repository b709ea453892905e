import GridCore
@testable import MeshPlanner

/// Small hand-made neighborhoods and the independent arithmetic the tests check the planner against.
enum Fixture {
    static let now = Timestamp(rfc3339: "2027-01-15T18:00:00Z")!
    static let morning = Timestamp(rfc3339: "2027-01-16T07:00:00Z")!

    /// A V2G EV with ample energy and slack: it may discharge at the charger's full rating.
    static func v2g(_ id: String, _ phase: PhaseConnection = .single(.a), kw: Double = 7.4) -> ChargerReport {
        ChargerReport(
            id: id, connection: phase, ratedChargeKW: kw, ratedDischargeKW: kw,
            ev: EVReport(socPercent: 70, energyAvailableKWh: 30, energyNeededKWh: 10, departure: morning, v2gAgreed: true, energyRoomKWh: 18))
    }

    /// An EV without V2G that may charge at the rating (consent to fill up given).
    static func charging(_ id: String, _ phase: PhaseConnection = .single(.a), kw: Double = 7.4) -> ChargerReport {
        ChargerReport(
            id: id, connection: phase, ratedChargeKW: kw, ratedDischargeKW: kw,
            ev: EVReport(socPercent: 50, energyAvailableKWh: 18, energyNeededKWh: 10, departure: morning, v2gAgreed: false, energyRoomKWh: 30))
    }

    static func transformer(
        _ id: String, household: SIMD3<Double> = SIMD3(10, 10, 10), reactive: Double = 0, rated: Double = 100,
        ambient: Double = 10, topOil: Double = 20, hotSpot: Double = 25, balance: Double? = 50, chargers: [ChargerReport],
        reportAge: Double = 1
    ) -> TransformerReport {
        var meter = household
        for c in chargers where c.online {
            for phase in c.connection.phases { meter[phase.index] += c.connection.share(of: phase) * c.powerKW }
        }
        return TransformerReport(
            id: id, reportTime: now + (-reportAge), ratedKVA: rated,
            phases: PerPhase { PhaseMeasurement(activePowerKW: meter[$0.index], reactivePowerKvar: reactive / 3) },
            thermal: TransformerThermalReport(topOilC: topOil, hotSpotC: hotSpot, ambientC: ambient),
            phaseBalanceLimitKW: balance, chargers: chargers)
    }

    static func goal(_ id: String, _ action: NeighborhoodGoal.Action, priority: Int = 0, from: Double = -600, to: Double = 3600) -> NeighborhoodGoal {
        NeighborhoodGoal(id: id, start: now + from, end: now + to, priority: priority, action: action)
    }

    static func plan(_ transformers: [TransformerReport], _ goals: [NeighborhoodGoal], settings: PlannerSettings = .init()) -> NeighborhoodPlan {
        MeshPlanner.plan(NeighborhoodSnapshot(transformers: transformers), goals: goals, now: now, settings: settings)
    }

    /// R − B and R + B from the IEC 60076-7 model directly: the thermal interval [−R − B, R − B] of P.
    static func thermalInterval(_ t: TransformerReport, horizonMinutes: Double = 15) -> (lower: Double, upper: Double) {
        let model = HotSpotModel(parameters: t.thermal.parameters)
        let rise = t.thermal.hotSpotC - t.thermal.topOilC
        let k21 = t.thermal.parameters.hotSpotOvershootK21
        let state = ThermalState(topOilC: t.thermal.topOilC, hotSpotRiseH1K: k21 * rise, hotSpotRiseH2K: (k21 - 1) * rise)
        let k = model.maximumLoadPU(
            from: state, ambientC: t.thermal.ambientC, hotSpotLimitC: t.thermal.hotSpotLimitC - t.thermal.marginK,
            horizonMinutes: max(horizonMinutes, t.thermal.horizonMinutes))
        let s = k * t.ratedKVA
        let q = t.phases.a.reactivePowerKvar + t.phases.b.reactivePowerKvar + t.phases.c.reactivePowerKvar
        let r = (s * s - q * q).squareRoot()
        let b = household(t).sum()
        return (-r - b, r - b)
    }

    /// The forecast peak hot-spot at a constant EV total P, by the model, as an independent check of the plan.
    static func forecastHotSpot(_ t: TransformerReport, evKW: Double, horizonMinutes: Double = 15) -> Double {
        let model = HotSpotModel(parameters: t.thermal.parameters)
        let rise = t.thermal.hotSpotC - t.thermal.topOilC
        let k21 = t.thermal.parameters.hotSpotOvershootK21
        let state = ThermalState(topOilC: t.thermal.topOilC, hotSpotRiseH1K: k21 * rise, hotSpotRiseH2K: (k21 - 1) * rise)
        let p = household(t).sum() + evKW
        let q = t.phases.a.reactivePowerKvar + t.phases.b.reactivePowerKvar + t.phases.c.reactivePowerKvar
        return model.forecastPeakHotSpotC(
            from: state, loadPU: (p * p + q * q).squareRoot() / t.ratedKVA, ambientC: t.thermal.ambientC,
            horizonMinutes: max(horizonMinutes, t.thermal.horizonMinutes))
    }

    static func household(_ t: TransformerReport) -> SIMD3<Double> {
        var b = SIMD3(t.phases.a.activePowerKW, t.phases.b.activePowerKW, t.phases.c.activePowerKW)
        for c in t.chargers where c.online {
            for phase in c.connection.phases { b[phase.index] -= c.connection.share(of: phase) * c.powerKW }
        }
        return b
    }

    /// The departure floor written out from its definition: hold P for the horizon H, then charge at the rating
    /// until departure τ, and still deliver the need E. −∞ when there is no deadline or no need.
    static func departureFloorKW(_ c: ChargerReport, horizonH: Double = 0.25) -> Double {
        guard c.online, let ev = c.ev, let departure = ev.departure, ev.energyNeededKWh > 0 else { return -.infinity }
        let rating = min(c.ratedChargeKW, c.ratedKVA)
        let tau = max((departure - now) / 3600, 1.0 / 60)
        let floor = tau <= horizonH ? ev.energyNeededKWh / tau : (ev.energyNeededKWh - rating * (tau - horizonH)) / horizonH
        return min(floor, rating)
    }
}

extension TransformerAllocation {
    var x: SIMD3<Double> { phaseKW.map { SIMD3($0.a, $0.b, $0.c) } ?? .zero }
}

func close(_ a: Double, _ b: Double, _ tolerance: Double = 1e-6) -> Bool { abs(a - b) <= tolerance * max(1, abs(a), abs(b)) }
