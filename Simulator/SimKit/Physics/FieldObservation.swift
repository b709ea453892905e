public import GridCore

/// What the field shows at one instant: the meter (as it reads, frozen or not), the temperatures,
/// each charger, and the flags the wiring layer needs. `feeder` holds the physical truth, for metrics and tests.
public struct FieldObservation: Sendable, Hashable {
    public var time: Timestamp
    /// The transformer's three-phase meter as it reads: during a frozen-meter event its values stop changing.
    public var meter: MeterReading
    public var meterFrozen: Bool
    public var ambientC: Double
    public var topOilC: Double
    /// The modelled hot-spot (no sensor: for metrics and display).
    public var hotSpotC: Double
    public var chargers: [ChargerObservation]
    /// Registers the wiring layer must fill with garbage now.
    public var garbageRegisters: [GarbageRegister]
    public var feeder: FeederTruth
}

/// The physical state of the secondary, whatever the meter shows.
public struct FeederTruth: Sendable, Hashable {
    public var meter: MeterReading
    /// |Ia + Ib + Ic| in amperes.
    public var neutralCurrentA: Double
    /// VUF = |V2|/|V1| × 100 (IEC 61000-4-30).
    public var vufPercent: Double
    /// K = |S|/S_rated, the IEC 60076-7 load factor.
    public var loadPU: Double
    /// Phase voltages in per unit of nominal.
    public var voltagePU: PerPhase<Double>
}

/// One charger as its registers would show it.
public struct ChargerObservation: Sendable, Hashable {
    public var id: String
    public var connection: PhaseConnection
    /// False while the charger is off the bus: the wiring layer must not answer (values are the physical truth).
    public var online: Bool
    /// + charging, − discharging.
    public var measuredKW: Double
    /// + injection.
    public var measuredKvar: Double
    public var ratedChargeKW: Double
    public var ratedDischargeKW: Double
    public var ratedKVA: Double
    /// The setpoint it holds (nil: default behaviour, charging at the EV's request).
    public var setpointKW: Double?
    public var setpointKvar: Double?
    public var ev: EVObservation?

    /// The agent-side view of this charger (GridCore's `ChargerState`).
    public var state: ChargerState {
        ChargerState(
            id: id, connection: connection, ratedChargeKW: ratedChargeKW, ratedDischargeKW: ratedDischargeKW,
            ratedKVA: ratedKVA, online: online, measuredKW: measuredKW, measuredKvar: measuredKvar,
            ev: ev.map { ev in
                EVState(
                    socPercent: ev.socPercent, batteryTempC: ev.batteryTempC, capacityKWh: ev.capacityKWh,
                    requestedKW: ev.requestedKW, departure: ev.departure,
                    energyNeededKWh: max(ev.targetSocPercent - ev.socPercent, 0) / 100 * ev.capacityKWh,
                    dischargeAllowed: ev.dischargeAllowed
                )
            }
        )
    }
}

/// The EV behind a charger.
public struct EVObservation: Sendable, Hashable {
    public var sessionID: String
    public var socPercent: Double
    public var batteryTempC: Double
    public var capacityKWh: Double
    /// What it asks for now (0 once at its target).
    public var requestedKW: Double
    public var targetSocPercent: Double
    public var arrival: Timestamp
    public var departure: Timestamp
    public var dischargeAllowed: Bool
}

/// A register the wiring layer serves as garbage: `device` is "meter", "transformer" or a charger id.
public struct GarbageRegister: Sendable, Hashable {
    public var device: String
    public var point: String

    public init(device: String, point: String) {
        self.device = device
        self.point = point
    }
}

/// How one EV session went (or is going, while `metTarget` is nil).
public struct SessionOutcome: Sendable, Hashable, Codable {
    /// A session met its target if it left within this much of it (the SoC register's 0.1 % resolution).
    public static let toleranceSocPercent = 0.1

    public var sessionID: String
    public var chargerID: String
    public var arrival: Timestamp
    public var departure: Timestamp
    public var arrivalSocPercent: Double
    public var finalSocPercent: Double
    public var targetSocPercent: Double
    public var chargedKWh: Double
    public var dischargedKWh: Double
    public var batteryKWh: Double
    /// The EV's own rate while below its target.
    public var requestedKW: Double
    /// Energy charged while the SoC was above the driver's target (no session here consents to that).
    public var chargedPastTargetKWh: Double
    /// The lowest SoC seen while plugged in.
    public var minSocPercent: Double
    /// nil while the EV is still plugged in at the end of the run.
    public var metTarget: Bool?

    /// Net energy delivered into the battery, in kWh.
    public var deliveredKWh: Double { chargedKWh - dischargedKWh }

    /// The energy the driver can expect: up to the target SoC, as much as charging at the EV's request delivers
    /// between arrival and departure (or `end`, when the run stops first).
    public func neededKWh(by end: Timestamp) -> Double {
        let toTargetKWh = max(targetSocPercent - arrivalSocPercent, 0) / 100 * batteryKWh
        let dwellH = max(min(departure, end) - arrival, 0) / 3600
        return min(toTargetKWh, requestedKW * dwellH)
    }

    /// How much less than `neededKWh(by:)` it got, never negative.
    public func shortfallKWh(by end: Timestamp) -> Double { max(neededKWh(by: end) - deliveredKWh, 0) }

    enum CodingKeys: String, CodingKey {
        case sessionID = "session_id", chargerID = "charger_id", arrival, departure
        case arrivalSocPercent = "arrival_soc_pct", finalSocPercent = "final_soc_pct", targetSocPercent = "target_soc_pct"
        case chargedKWh = "charged_kwh", dischargedKWh = "discharged_kwh", metTarget = "met_target"
        case batteryKWh = "battery_kwh", requestedKW = "requested_kw", chargedPastTargetKWh = "charged_past_target_kwh"
        case minSocPercent = "min_soc_pct"
    }
}
