import Synchronization

/// Whether the control loop still shows life, for the systemd watchdog. The loop stamps the start and the end of each
/// cycle; a cycle that has run longer than the limit means the loop is stuck (a Modbus call past every timeout, a
/// disk that never answers), and the watchdog pings stop so that systemd restarts the agent. A slow device alone
/// never gets there: libmodbus gives up after the response timeout and the cycle ends.
public final class LoopHeartbeat: Sendable {
    private let cycleStartedAt = Mutex<ContinuousClock.Instant?>(nil)

    public init() {}

    func cycleStarted(at instant: ContinuousClock.Instant = .now) { cycleStartedAt.withLock { $0 = instant } }

    func cycleEnded() { cycleStartedAt.withLock { $0 = nil } }

    /// False only while a cycle has been running for `limit` or longer.
    public func isAlive(at now: ContinuousClock.Instant = .now, limit: Duration) -> Bool {
        cycleStartedAt.withLock { $0 }.map { $0.duration(to: now) < limit } ?? true
    }

    /// How long the cycle in progress has run; nil between cycles.
    public func cycleRunning(at now: ContinuousClock.Instant = .now) -> Duration? {
        cycleStartedAt.withLock { $0 }.map { $0.duration(to: now) }
    }
}
