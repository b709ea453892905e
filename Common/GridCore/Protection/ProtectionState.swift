/// What protection remembers from one cycle to the next. Holds only finite numbers, so it encodes to JSON
/// and compares equal to itself (the determinism tests rely on that).
public struct ProtectionState: Sendable, Hashable, Codable {
    /// A condition seen on trusted samples: when it was first seen and when last.
    /// It continues only while no gap between trusted samples exceeds the stale limit.
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
}
