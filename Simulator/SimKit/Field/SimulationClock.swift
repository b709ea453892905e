internal import FoundationEssentials
public import GridCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How simulated time follows wall time during a paced run, shared with an agent through a small JSON file:
/// `{"wall_start_s": …, "sim_start_s": …, "scale": …}`, so that simulated now = sim_start_s + (wall now − wall_start_s) × scale.
public struct SimulationClock: Sendable, Hashable, Codable {
    /// Unix seconds (wall clock) when the run started.
    public var wallStartS: Double
    /// Unix seconds (simulated) at that instant: the scenario's start.
    public var simStartS: Double
    /// Simulated seconds per wall second (the acceleration).
    public var scale: Double

    public init(wallStartS: Double, simStartS: Double, scale: Double) {
        self.wallStartS = wallStartS
        self.simStartS = simStartS
        self.scale = scale
    }

    enum CodingKeys: String, CodingKey { case wallStartS = "wall_start_s", simStartS = "sim_start_s", scale }

    /// Simulated time at wall time `wallS` (Unix seconds).
    public func simulatedTime(atWallS wallS: Double) -> Timestamp {
        Timestamp(secondsSinceEpoch: simStartS + (wallS - wallStartS) * scale)
    }

    /// The system's real-time clock in Unix seconds; only the runner's pacing reads it.
    public static func wallNowS() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }

    /// Writes the JSON file atomically (a reader never sees half of it).
    public func write(to path: String) throws(SimFieldError) {
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            try encoder.encode(self).write(to: URL(filePath: path), options: .atomic)
        } catch {
            throw .fileFailed(path, error)
        }
    }

    /// Reads a clock file (for tests and tools; the agent has its own reader).
    public static func read(from path: String) throws -> SimulationClock {
        try JSONDecoder().decode(SimulationClock.self, from: Data(contentsOf: URL(filePath: path)))
    }
}
