/// A part of the agent outside the control cycle whose faults are alarms too: the cache, the telemetry queue.
///
/// The control loop reads every source once per cycle, so their alarms join the cycle's own in the status file, the
/// metrics and the event log, and are logged once when raised and once when cleared.
public protocol AlarmSource: Sendable {
    /// The alarms in force now, each under a stable code (`CACHE_FULL`, `TELEMETRY_QUEUE_FULL`, …).
    var alarmsInForce: [AgentStatus.Alarm] { get }
}
