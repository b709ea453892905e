/// What protection remembers from one cycle to the next. Holds only finite numbers, so it encodes to JSON
/// and compares equal to itself (the determinism tests rely on that).
public struct ProtectionState: Sendable, Hashable, Codable {
    /// A condition seen on trusted samples: when it was first seen and when last.
    /// A trip condition seen on both sides of a spell without trusted samples counts as continuous through it;
    /// the enter-service window restarts after a gap longer than the stale limit.
    public struct ConditionTimer: Sendable, Hashable, Codable {
        public var since: Timestamp
        public var lastSeen: Timestamp

        public init(since: Timestamp, lastSeen: Timestamp) {
            self.since = since
            self.lastSeen = lastSeen
        }

        /// How long the condition has held, up to `lastSeen`.
        public var heldS: Double { lastSeen - since }
    }

    /// A latched trip: ceased to energize since `since`, for `causes`.
    public struct Trip: Sendable, Hashable, Codable {
        public var since: Timestamp
        public var causes: [ProtectionCode]

        public init(since: Timestamp, causes: [ProtectionCode]) {
            self.since = since
            self.causes = causes
        }
    }

    /// Pickup timers of the trip functions whose condition currently holds.
    public var pickups: [TripFunction: ConditionTimer]
    /// Disturbances: since when each side has been outside continuous operation (the ride-through clock).
    public var disturbances: [RideThroughSideKey: ConditionTimer]
    /// Set while the voltage is in a momentary-cessation (or cease-to-energize) region: output stopped, no trip.
    public var cessation: ConditionTimer?
    /// Set while a phase is above the discharge-block voltage.
    public var overvoltageBlock: ConditionTimer?
    /// The latched trip, nil when in service.
    public var trip: Trip?
    /// Enter-service window timer while tripped.
    public var enterService: ConditionTimer?
    /// Channel values of the last finite sample (frozen-meter check), and how many samples in a row had them.
    public var lastChannels: [Double]?
    public var identicalSamples: Int
    /// Time of the last reading received (any quality), to spot repeats and time going backwards.
    public var lastReadingTime: Timestamp?
    /// Time of the last reading that passed every check; nil after a rejected one.
    public var lastAcceptedTime: Timestamp?

    /// The state at start-up: nothing seen yet (the first cycle without data is already the safe state).
    public init() {
        pickups = [:]
        disturbances = [:]
        cessation = nil
        overvoltageBlock = nil
        trip = nil
        enterService = nil
        lastChannels = nil
        identicalSamples = 0
        lastReadingTime = nil
        lastAcceptedTime = nil
    }

    /// True while a trip is latched.
    public var isTripped: Bool { trip != nil }

    enum CodingKeys: String, CodingKey {
        case pickups, disturbances, cessation, overvoltageBlock, trip, enterService, lastChannels, identicalSamples
        case lastReadingTime, lastAcceptedTime
    }

    /// Tolerant of a state cached by an older agent: keys it did not write start empty.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        pickups = try c.decodeIfPresent([TripFunction: ConditionTimer].self, forKey: .pickups) ?? [:]
        disturbances = try c.decodeIfPresent([RideThroughSideKey: ConditionTimer].self, forKey: .disturbances) ?? [:]
        cessation = try c.decodeIfPresent(ConditionTimer.self, forKey: .cessation)
        overvoltageBlock = try c.decodeIfPresent(ConditionTimer.self, forKey: .overvoltageBlock)
        trip = try c.decodeIfPresent(Trip.self, forKey: .trip)
        enterService = try c.decodeIfPresent(ConditionTimer.self, forKey: .enterService)
        lastChannels = try c.decodeIfPresent([Double].self, forKey: .lastChannels)
        identicalSamples = try c.decodeIfPresent(Int.self, forKey: .identicalSamples) ?? 0
        lastReadingTime = try c.decodeIfPresent(Timestamp.self, forKey: .lastReadingTime)
        lastAcceptedTime = try c.decodeIfPresent(Timestamp.self, forKey: .lastAcceptedTime)
    }
}
