/// Whether a charger does what it was last told. A charger that draws more than its setpoint, discharges more
/// than it, or goes the other way, beyond `write.follow_tolerance_kw` for longer than `write.response_time_s`,
/// has not followed it (a lapsed reversion timer, a local override, a firmware fault). Drawing less than the
/// setpoint in the same direction is the EV's choice (taper, a full battery) unless the EV asks for more.
public struct SetpointWatch: Sendable, Hashable, Codable {
    /// The setpoint watched (+ charging), and when it was written.
    public var setpointKW: Double
    public var writtenAt: Timestamp
    /// When the measured power was first seen outside the band; nil while it follows.
    public var departedSince: Timestamp?

    public init(setpointKW: Double, writtenAt: Timestamp, departedSince: Timestamp? = nil) {
        self.setpointKW = setpointKW
        self.writtenAt = writtenAt
        self.departedSince = departedSince
    }

    enum CodingKeys: String, CodingKey {
        case setpointKW = "setpoint_kw", writtenAt = "written_at", departedSince = "departed_since"
    }

    /// The band a charger following `setpointKW` may measure in: from the setpoint (or what its EV asks for,
    /// when less) through 0, widened by `toleranceKW`.
    static func band(setpointKW: Double, evRequestKW: Double?, toleranceKW: Double) -> ClosedRange<Double> {
        let upper = max(setpointKW, 0) + toleranceKW
        var lower = min(setpointKW, 0) - toleranceKW
        if setpointKW > 0, let request = evRequestKW, request.isFinite, request > 0 {
            lower = min(setpointKW, request) - toleranceKW
        }
        return lower...upper
    }

    /// The watch after this cycle's reading, and whether the charger has now departed for longer than its
    /// response time. `written` is what the charger was last told before this cycle's writes.
    static func update(
        _ watch: SetpointWatch?, written: WrittenSetpoint, measuredKW: Double, evRequestKW: Double?,
        rules: WritePolicy, now: Timestamp
    ) -> (watch: SetpointWatch, notFollowedForS: Double?) {
        var next = watch ?? SetpointWatch(setpointKW: written.setpoint.activePowerKW, writtenAt: written.at)
        // A new value gives the charger a fresh response time; a refresh of the same one does not.
        if abs(next.setpointKW - written.setpoint.activePowerKW) > rules.followToleranceKW / 2 {
            next = SetpointWatch(setpointKW: written.setpoint.activePowerKW, writtenAt: written.at)
        }
        let band = band(setpointKW: next.setpointKW, evRequestKW: evRequestKW, toleranceKW: rules.followToleranceKW)
        guard measuredKW.isFinite, !band.contains(measuredKW) else {
            next.departedSince = nil
            return (next, nil)
        }
        let since = next.departedSince ?? now
        next.departedSince = since
        let forS = now - max(since, next.writtenAt)
        return (next, forS >= rules.responseTimeS ? now - since : nil)
    }
}
