/// Telemetry settings that the operator sets fleet-wide through the policy (docs/uplink.md); each key that is
/// present overrides the agent config's `uplink` value of the same name.
public struct TelemetryPolicy: Sendable, Hashable, Codable {
    /// Raw samples the agent's queue holds before the oldest fold into one-minute means (nil: the config's).
    public var queueMaxRows: Int?

    public static let queueMaxRowsRange = 60...10_000_000

    public init(queueMaxRows: Int? = nil) {
        self.queueMaxRows = queueMaxRows
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case queueMaxRows = "queue_max_rows"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        queueMaxRows = try c.decodeIfPresent(Int.self, forKey: .queueMaxRows)
    }

    func validate() throws(PolicyError) {
        if let queueMaxRows, !Self.queueMaxRowsRange.contains(queueMaxRows) {
            throw .outOfRange(field: "telemetry.queue_max_rows", value: Double(queueMaxRows), allowed: "60…10000000")
        }
    }
}
