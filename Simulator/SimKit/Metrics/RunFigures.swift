internal import FoundationEssentials

/// The figures a run is judged by, over the whole span it covered: the neutral current as a mean and as 1-minute and
/// 10-minute maxima, the VUF as EN 50160 reads it (95th percentile of the 10-minute values), the hot-spot peak and
/// loss of life, the time outside the voltage band, the setpoint lapses, and each EV's energy against its need.
/// Its JSON is the `v2g-sim rehearse --json` contract (docs/simulator.md): keep the names.
public struct RunFigures: Sendable, Hashable, Encodable {
    /// One EV session.
    public struct EV: Sendable, Hashable, Encodable {
        public var id: String
        public var chargerID: String
        /// What charging at the EV's request would have delivered by departure, up to the target SoC.
        public var neededKWh: Double
        public var deliveredKWh: Double
        public var shortfallKWh: Double
        public var chargedPastTargetKWh: Double
        public var dischargedKWh: Double
        public var minSocPercent: Double
        /// nil while still plugged in when the run stopped.
        public var metTarget: Bool?

        enum CodingKeys: String, CodingKey {
            case id, chargerID = "charger", neededKWh = "needed_kwh", deliveredKWh = "delivered_kwh"
            case shortfallKWh = "shortfall_kwh", chargedPastTargetKWh = "charged_past_target_kwh"
            case dischargedKWh = "discharged_kwh", minSocPercent = "min_soc_pct", metTarget = "met_target"
        }
    }

    public var elapsedS: Double
    public var neutralMeanA: Double
    public var neutralMax1MinA: Double?
    public var neutralMax10MinA: Double?
    public var vufP95TenMinutePercent: Double?
    public var vufMaxTenMinutePercent: Double?
    public var hotSpotMaxC: Double?
    public var lossOfLifeHours: Double
    public var voltageOutsideBandS: Double
    public var setpointLapses: Int
    public var evs: [EV]

    public init(simulation: FeederSimulation) {
        let m = simulation.metrics
        elapsedS = m.elapsedS
        neutralMeanA = m.neutralCurrentAverageA
        neutralMax1MinA = m.neutralCurrentMax1MinA
        neutralMax10MinA = m.neutralCurrentMax10MinA
        vufP95TenMinutePercent = m.vufP95TenMinutePercent
        vufMaxTenMinutePercent = m.vufMaxTenMinutePercent
        hotSpotMaxC = m.hotSpotPeakC.isFinite ? m.hotSpotPeakC : nil
        lossOfLifeHours = m.lossOfLifeHours
        voltageOutsideBandS = m.secondsAnyPhaseOutsideBand
        setpointLapses = m.lapses.count
        let end = simulation.time
        evs = simulation.sessions.map { s in
            EV(id: s.sessionID, chargerID: s.chargerID, neededKWh: s.neededKWh(by: end), deliveredKWh: s.deliveredKWh,
               shortfallKWh: s.shortfallKWh(by: end), chargedPastTargetKWh: s.chargedPastTargetKWh,
               dischargedKWh: s.dischargedKWh, minSocPercent: s.minSocPercent, metTarget: s.metTarget)
        }
    }

    /// Σ shortfall over every session, and the worst one.
    public var evShortfallKWh: Double { evs.reduce(0) { $0 + $1.shortfallKWh } }
    public var evShortfallMaxKWh: Double { evs.map(\.shortfallKWh).max() ?? 0 }
    /// Sessions that left with their target SoC (within the SoC register's resolution).
    public var evsMetTarget: Int { evs.filter { $0.metTarget == true }.count }
    public var evsNeededTotalKWh: Double { evs.reduce(0) { $0 + $1.neededKWh } }
    public var evsDeliveredTotalKWh: Double { evs.reduce(0) { $0 + $1.deliveredKWh } }

    private enum Keys: String, CodingKey {
        case elapsedS = "elapsed_s", neutral = "neutral_current_a", vuf = "vuf_pct", hotSpot = "hot_spot_c"
        case lossOfLife = "loss_of_life_h", outside = "voltage_outside_band_s", lapses = "setpoint_lapses"
        case shortfall = "ev_shortfall_kwh", shortfallMax = "ev_shortfall_max_kwh", metTarget = "evs_met_target"
        case evCount = "evs_total", needed = "ev_needed_kwh", delivered = "ev_delivered_kwh", evs
        case mean, max1 = "max_1min", max10 = "max_10min", p95 = "p95_10min", max
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(elapsedS, forKey: .elapsedS)
        var neutral = c.nestedContainer(keyedBy: Keys.self, forKey: .neutral)
        try neutral.encode(neutralMeanA, forKey: .mean)
        try neutral.encode(neutralMax1MinA, forKey: .max1)
        try neutral.encode(neutralMax10MinA, forKey: .max10)
        var vuf = c.nestedContainer(keyedBy: Keys.self, forKey: .vuf)
        try vuf.encode(vufP95TenMinutePercent, forKey: .p95)
        try vuf.encode(vufMaxTenMinutePercent, forKey: .max10)
        var hotSpot = c.nestedContainer(keyedBy: Keys.self, forKey: .hotSpot)
        try hotSpot.encode(hotSpotMaxC, forKey: .max)
        try c.encode(lossOfLifeHours, forKey: .lossOfLife)
        try c.encode(voltageOutsideBandS, forKey: .outside)
        try c.encode(setpointLapses, forKey: .lapses)
        try c.encode(evShortfallKWh, forKey: .shortfall)
        try c.encode(evShortfallMaxKWh, forKey: .shortfallMax)
        try c.encode(evsMetTarget, forKey: .metTarget)
        try c.encode(evs.count, forKey: .evCount)
        try c.encode(evsNeededTotalKWh, forKey: .needed)
        try c.encode(evsDeliveredTotalKWh, forKey: .delivered)
        try c.encode(evs, forKey: .evs)
    }
}
