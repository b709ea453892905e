/// Step 1 of the control cycle: IEEE 1547-2018 trips (Categories I, II and III), ride-through, momentary cessation,
/// the over-voltage discharge block and meter data quality. Pure: (state, reading, now) → (state, verdict); no clock,
/// no I/O. docs/protection.md explains the rule with figures.
///
/// Timer semantics. The agent sees a condition only at samples one cycle period p apart, so the onset lies between
/// the last sample without it and the first sample with it. Two bounds follow, per trip function:
/// - never before the ride-through minimum: the condition has surely lasted only the time since the first sample
///   that showed the disturbance, so a function trips only once that time reaches the minimum of the ride-through
///   region the value is in (IEEE 1547-2018 Tables 14–16, 21; measured from when that side of the table left
///   continuous operation, as OpenDER does, and capped at the function's clearing time, which always wins);
/// - no later than max(clearing time, ride-through minimum + 2p): a function is due at the first sample where
///   waiting one more period could overrun its clearing time, observed + 2p > clearing.
/// A function trips at the first sample where both hold. Observed durations run on meter time. A condition seen
/// cleared on a trusted sample resets its timer; a condition seen on both sides of missing, stale or rejected
/// readings counts as continuous through them; a frozen meter's repeated values still drive the timers (and the
/// safe state applies too, but never in place of a trip that is due). Voltage functions use the worst phase.
/// Where the voltage is in a momentary-cessation region (Category III below 0.50 or above 1.10 pu) or beyond the
/// table (cease to energize), output stops at once without a trip, and returns when the voltage leaves that region.
/// After a trip the verdict stays `.ceaseToEnergize` until the enter-service window has held for its delay.
public struct ProtectionMonitor: Sendable, Hashable, Codable {
    public var trip: TripSettings
    public var quality: DataQualitySettings
    public var enterService: EnterServiceSettings
    /// Discharge is blocked at once while any phase is above this (1.10 pu: the top of continuous operation).
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

    /// A category's default trips, default data quality and enter-service settings for a 50 or 60 Hz system.
    public init(category: AbnormalCategory = .ii, nominalHz: Double) {
        self.init(trip: .defaults(category, nominalHz: nominalHz), enterService: .ieee1547(nominalHz: nominalHz))
    }

    /// Validates every part, and that they fit together (a trip pickup must never look like bad data).
    public func validate() throws {
        try trip.validate()
        try quality.validate(nominalHz: trip.nominalHz)
        try enterService.validate()
        guard enterService.nominalHz == trip.nominalHz else {
            throw ProtectionSettingsError.misordered(
                field: "enterService.nominalHz", "must equal the system's \(ProtectionFormat.number(trip.nominalHz)) Hz")
        }
        for function in TripFunction.allCases {
            let pickup = trip[function].pickup
            let plausible = function.watchesVoltage ? quality.plausibleVoltagePU : plausibleFrequencyHz
            guard plausible.contains(pickup) else {
                throw ProtectionSettingsError.misordered(
                    field: "data_quality.plausible_\(function.watchesVoltage ? "voltage_pu" : "frequency_hz")",
                    "must contain \(TripSettings.field(function, "pickup")) \(ProtectionFormat.number(pickup)) \(function.pickupUnit)"
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
            if state.trip != nil { return (state, .ceaseToEnergize([event])) }
            return (state, state.cessation != nil ? .momentaryCessation([event]) : .safeState([event]))
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
        let table = trip.rideThrough
        trackDisturbances(&next, sample, table)
        // A trip that is due wins over everything, bad data included: the safe state never replaces it.
        let trips = tripEvents(&next, sample, cycle, table)
        if !trips.isEmpty {
            next.trip = ProtectionState.Trip(since: now, causes: trips.map(\.code))
            next.pickups = [:]
            next.disturbances = [:]
            next.cessation = nil
            next.enterService = nil
            return (next, .ceaseToEnergize(trips + events))
        }
        if let cessation = updateCessation(&next, sample, cycle, table) {
            return (next, .momentaryCessation([cessation] + events))
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
        /// Per-unit phase voltages, when all three are finite and plausible (frozen ones included).
        var voltagePU: PerPhase<Double>?
        /// Frequency, when finite and plausible (frozen included).
        var frequencyHz: Double?
    }

    /// The plausible frequency range at the system's nominal frequency.
    var plausibleFrequencyHz: ClosedRange<Double> { quality.plausibleFrequencyHz(nominalHz: trip.nominalHz) }
}

extension ProtectionState.ConditionTimer {
    /// This timer carried on to a new trusted sample at `time`, or a fresh one if the gap since `lastSeen` is longer
    /// than `maxGapS` (infinite for trip conditions: seen on both sides of a gap, a condition counts as continuous).
    func carried(to time: Timestamp, maxGapS: Double) -> Self {
        time - lastSeen <= maxGapS + ProtectionMonitor.toleranceS
            ? Self(since: since, lastSeen: time)
            : Self(since: time, lastSeen: time)
    }

    static func start(_ existing: Self?, at time: Timestamp, maxGapS: Double = .infinity) -> Self {
        existing?.carried(to: time, maxGapS: maxGapS) ?? Self(since: time, lastSeen: time)
    }
}
