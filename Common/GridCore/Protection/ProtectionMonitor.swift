/// Step 1 of the control cycle (DESIGN.md §2): IEEE 1547-2018 Category II trips, the over-voltage discharge block
/// and meter data quality. Pure: (state, reading, now) → (state, verdict); no clock, no I/O.
///
/// Timer semantics. A function trips when its condition has held continuously for its clearing time. The agent
/// only sees the condition at samples one cycle period p apart, and it may have begun up to p before the first
/// sample that shows it; so the true duration at a sample is below (observed duration + p). A function therefore
/// trips at the first sample where waiting one more period could overrun the clearing time:
/// observed + 2p > clearing. That is the brief's "observed + p ≥ clearing" whenever the clearing time is a multiple
/// of p (OV1 2 s trips at the 2nd sample with p = 1 s, the 20th with p = 0.1 s), and it also makes a 0.16 s function
/// trip on the first sample seen at p = 0.1 s, where "observed + p ≥ clearing" would wait one sample too long.
/// Observed durations run on meter time (`MeterReading.time`). A condition seen cleared on a trusted sample resets
/// its timer; an untrusted sample neither advances nor resets it, and a gap in trusted samples longer than the
/// stale limit restarts it. Voltage functions use the worst phase. After a trip the verdict stays
/// `.ceaseToEnergize` until the enter-service window has held continuously for its delay.
public struct ProtectionMonitor: Sendable, Hashable, Codable {
    public var trip: TripSettings
    public var quality: DataQualitySettings
    public var enterService: EnterServiceSettings
    /// Discharge is blocked at once while any phase is above this (DESIGN.md §2 step 1: 1.10 pu).
    public var dischargeBlockAbovePU: Double

    /// Slack for floating-point timestamp arithmetic: epoch seconds near 1.7e9 carry about 2.4e-7 s of rounding,
    /// and 0.1 ms is still far below a meter's time resolution and the shortest cycle (0.1 s).
    static let toleranceS = 1e-4

    public init(
        trip: TripSettings = .categoryII(),
        quality: DataQualitySettings = DataQualitySettings(),
        enterService: EnterServiceSettings = .ieee1547(),
        dischargeBlockAbovePU: Double = 1.10
    ) {
        self.trip = trip
        self.quality = quality
        self.enterService = enterService
        self.dischargeBlockAbovePU = dischargeBlockAbovePU
    }

    /// Category II trips, default data quality and enter-service settings for a 50 or 60 Hz system.
    public init(nominalHz: Double) {
        self.init(
            trip: .categoryII(nominalHz: nominalHz),
            quality: DataQualitySettings(nominalHz: nominalHz),
            enterService: .ieee1547(nominalHz: nominalHz)
        )
    }

    /// Validates every part, and that they fit together (a trip pickup must never look like bad data).
    public func validate() throws {
        try trip.validate()
        try quality.validate()
        try enterService.validate()
        guard enterService.nominalHz == trip.nominalHz else {
            throw ProtectionSettingsError.misordered(field: "enterService.nominalHz", "must equal trip.nominalHz \(trip.nominalHz)")
        }
        for function in TripFunction.allCases {
            let pickup = trip[function].pickup
            let plausible = function.watchesVoltage ? quality.plausibleVoltagePU : quality.plausibleFrequencyHz
            guard plausible.contains(pickup) else {
                throw ProtectionSettingsError.misordered(
                    field: "quality.plausible\(function.watchesVoltage ? "VoltagePU" : "FrequencyHz")",
                    "must contain \(function).pickup \(ProtectionFormat.number(pickup)) \(function.pickupUnit)"
                )
            }
        }
        guard dischargeBlockAbovePU.isFinite, dischargeBlockAbovePU > 1, dischargeBlockAbovePU <= trip.ov2.pickup else {
            throw ProtectionSettingsError.outOfRange(
                field: "dischargeBlockAbovePU", value: dischargeBlockAbovePU, range: 1...trip.ov2.pickup, unit: "pu",
                source: "above nominal, at most OV2"
            )
        }
    }

    /// One protection step. `reading == nil` means no data arrived this cycle.
    /// `nominalPhaseVoltageV` is the nominal phase-to-neutral voltage (1 pu); `cyclePeriodS` the control period.
    public func evaluate(
        _ state: ProtectionState,
        reading: MeterReading?,
        nominalPhaseVoltageV: Double,
        cyclePeriodS: Double,
        now: Timestamp
    ) -> (ProtectionState, ProtectionVerdict) {
        guard nominalPhaseVoltageV.isFinite, nominalPhaseVoltageV > 0, cyclePeriodS.isFinite, cyclePeriodS > 0,
              now.secondsSinceEpoch.isFinite else {
            let event = ProtectionEvent(
                code: .dataImplausible,
                message: "cannot judge the reading: nominal phase voltage \(ProtectionFormat.number(nominalPhaseVoltageV)) V, "
                    + "cycle period \(ProtectionFormat.number(cyclePeriodS)) s and now \(ProtectionFormat.time(now)) "
                    + "must be positive finite numbers"
            )
            return (state, state.trip == nil ? .safeState([event]) : .ceaseToEnergize([event]))
        }
        let cycle = Cycle(
            nominalPhaseVoltageV: nominalPhaseVoltageV, periodS: cyclePeriodS, now: now,
            staleLimitS: Double(quality.staleAfterCycles) * cyclePeriodS
        )
        var next = state
        let sample = assess(reading, &next, cycle)
        var events = sample.events
        updateOvervoltageBlock(&next, sample, cycle, &events)

        if next.trip != nil, !enterServiceHolds(&next, sample, cycle, &events) {
            return (next, .ceaseToEnergize(events))
        }
        let trips = tripEvents(&next, sample, cycle)
        if !trips.isEmpty {
            next.trip = ProtectionState.Trip(since: now, causes: trips.map(\.code))
            next.pickups = [:]
            next.enterService = nil
            return (next, .ceaseToEnergize(trips + events))
        }
        return (next, sample.isFault ? .safeState(events) : .normal(advisories: events))
    }
}

extension ProtectionMonitor {
    /// The fixed inputs of one evaluation.
    struct Cycle {
        var nominalPhaseVoltageV: Double
        var periodS: Double
        var now: Timestamp
        var staleLimitS: Double
    }

    /// What one cycle's reading lets protection trust.
    struct Sample {
        var events: [ProtectionEvent] = []
        /// True when the data is bad enough for the safe state.
        var isFault = false
        /// Meter time of the reading, when at least one of its channels below is trusted.
        var time: Timestamp?
        /// Per-unit phase voltages, when all three are finite and plausible.
        var voltagePU: PerPhase<Double>?
        /// Frequency, when finite and plausible.
        var frequencyHz: Double?
    }
}

extension ProtectionState.ConditionTimer {
    /// This timer carried on to a new trusted sample at `time`, or a fresh one if the gap since `lastSeen` is too long.
    func carried(to time: Timestamp, maxGapS: Double) -> Self {
        time - lastSeen <= maxGapS + ProtectionMonitor.toleranceS
            ? Self(since: since, lastSeen: time)
            : Self(since: time, lastSeen: time)
    }

    static func start(_ existing: Self?, at time: Timestamp, maxGapS: Double) -> Self {
        existing?.carried(to: time, maxGapS: maxGapS) ?? Self(since: time, lastSeen: time)
    }
}
