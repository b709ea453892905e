/// Stable alarm codes raised by protection (control cycle step 1). The raw values are part of the telemetry contract.
public enum ProtectionCode: String, Sendable, Hashable, Codable, CaseIterable {
    case tripOV2 = "TRIP_OV2"
    case tripOV1 = "TRIP_OV1"
    case tripUV1 = "TRIP_UV1"
    case tripUV2 = "TRIP_UV2"
    case tripOF2 = "TRIP_OF2"
    case tripOF1 = "TRIP_OF1"
    case tripUF1 = "TRIP_UF1"
    case tripUF2 = "TRIP_UF2"
    /// A phase is above 1.10 pu: discharge is blocked at once, before OV1's clearing time runs out.
    case overvoltageDischargeBlocked = "OVERVOLTAGE_DISCHARGE_BLOCKED"
    /// No new reading this cycle (an advisory), or none for longer than the stale limit (safe state).
    case dataMissing = "DATA_MISSING"
    /// The reading is older than the stale limit.
    case dataStale = "DATA_STALE"
    /// NaN, infinity, a value outside its physical range, or a timestamp that cannot be right.
    case dataImplausible = "DATA_IMPLAUSIBLE"
    /// Every channel identical for `frozenAfterSamples` consecutive samples.
    case dataFrozen = "DATA_FROZEN"
    /// Ceased to energize after a trip, waiting for the enter-service window to hold for the delay.
    case enterServiceWait = "ENTER_SERVICE_WAIT"
    /// Voltage in a momentary-cessation region (Category III) or beyond the ride-through table: output stops at
    /// once without a trip, and returns with the voltage, without the enter-service delay.
    case momentaryCessation = "MOMENTARY_CESSATION"
    /// The cycle period is longer than half a function's clearing time: sampling cannot clear it in time, so the
    /// chargers' own certified protection must. A standing notice of the policy, not an alarm: the agent says it once at
    /// start-up and whenever the policy changes.
    case clearingTimeUnreachable = "CLEARING_TIME_UNREACHABLE"

    /// True for the eight IEEE 1547 trip codes.
    public var isTrip: Bool { TripFunction.allCases.contains { $0.code == self } }
}

/// One protection finding: a code, the phase where it applies, and a message naming the value, the limit and the time.
public struct ProtectionEvent: Sendable, Hashable, Codable, CustomStringConvertible {
    public var code: ProtectionCode
    public var phase: Phase?
    public var message: String

    public init(code: ProtectionCode, phase: Phase? = nil, message: String) {
        self.code = code
        self.phase = phase
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}

/// What protection allows this cycle. Every later control step clamps to it.
public enum ProtectionVerdict: Sendable, Hashable, Codable {
    /// Normal operation; advisories may still block discharge (OVERVOLTAGE_DISCHARGE_BLOCKED).
    case normal(advisories: [ProtectionEvent])
    /// Bad meter data: discharge = 0 and charging held at the policy's fallback limit.
    case safeState([ProtectionEvent])
    /// A trip (or waiting to enter service after one): every charger to 0.
    case ceaseToEnergize([ProtectionEvent])
    /// Momentary cessation: every charger to 0 at once, no trip latched, no enter-service delay afterwards.
    case momentaryCessation([ProtectionEvent])

    /// Every event behind this verdict, in order.
    public var events: [ProtectionEvent] {
        switch self {
        case .normal(let events), .safeState(let events), .ceaseToEnergize(let events), .momentaryCessation(let events): events
        }
    }

    /// The codes of `events`.
    public var codes: [ProtectionCode] { events.map(\.code) }

    /// True only in normal operation without an over-voltage block.
    public var allowsDischarge: Bool {
        guard case .normal(let advisories) = self else { return false }
        return !advisories.contains { $0.code == .overvoltageDischargeBlocked }
    }

    /// False while ceased to energize or in momentary cessation.
    public var allowsCharging: Bool { !isCeased && !isMomentaryCessation }

    /// True in the safe state: charging must not exceed the policy's fallback limit.
    public var holdsChargingAtFallback: Bool {
        if case .safeState = self { return true }
        return false
    }

    /// True while ceased to energize.
    public var isCeased: Bool {
        if case .ceaseToEnergize = self { return true }
        return false
    }

    /// True in momentary cessation (output stopped, no trip).
    public var isMomentaryCessation: Bool {
        if case .momentaryCessation = self { return true }
        return false
    }

    /// True in normal operation (advisories allowed).
    public var isNormal: Bool {
        if case .normal = self { return true }
        return false
    }
}
