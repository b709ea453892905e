public import GridCore
import FoundationEssentials

/// Where the daemon's `now` comes from. In the field: the real-time clock. Against the field simulator
/// running accelerated (demo, rehearsal): simulated time, from the simulator's clock file
/// `{"wall_start_s", "sim_start_s", "scale"}`, so that departure times, thermal steps and stale-data
/// limits all run in the simulator's time.
public struct AgentClock: Sendable, Hashable {
    public var wallStartS: Double
    public var simulatedStartS: Double
    /// Simulated seconds per wall second.
    public var scale: Double

    public static let realTime = AgentClock(wallStartS: 0, simulatedStartS: 0, scale: 1)

    public init(wallStartS: Double, simulatedStartS: Double, scale: Double) {
        self.wallStartS = wallStartS
        self.simulatedStartS = simulatedStartS
        self.scale = scale
    }

    public func now() -> Timestamp {
        let wall = Timestamp.wallClock().secondsSinceEpoch
        return Timestamp(secondsSinceEpoch: simulatedStartS + (wall - wallStartS) * scale)
    }

    /// Wall time to wait for `seconds` of this clock.
    public func wallSeconds(for seconds: Double) -> Double { seconds / scale }

    private struct File: Decodable {
        var wallStartS: Double
        var simStartS: Double
        var scale: Double
        enum CodingKeys: String, CodingKey { case wallStartS = "wall_start_s", simStartS = "sim_start_s", scale }
    }

    public static func simulation(clockFile path: String) throws(ConfigFileError) -> AgentClock {
        let file = try ConfigFile.load(File.self, path: path)
        guard file.scale.isFinite, (0.01...100_000).contains(file.scale), file.wallStartS.isFinite, file.simStartS.isFinite else {
            throw ConfigFileError(path: path, reason: "scale must be within 0.01…100000 and times finite")
        }
        return AgentClock(wallStartS: file.wallStartS, simulatedStartS: file.simStartS, scale: file.scale)
    }
}
