import AggregatorKit
import ArgumentParser
import FoundationEssentials
import GridCore

/// The neighborhood's "now": the wall clock, or with `serve --sim-clock FILE` the simulator's clock (the file
/// `v2g-sim run --clock-file` writes: `{"wall_start_s", "sim_start_s", "scale"}`), so that a simulated field, its
/// agents (`v2g-agent run --sim-clock`) and the aggregator's planner read one time. For simulations and tests only:
/// telemetry, TLS and the audit log stay on the wall clock.
enum SimulatedTime {
    private struct File: Decodable {
        let wallStartS: Double
        let simStartS: Double
        let scale: Double

        enum CodingKeys: String, CodingKey { case wallStartS = "wall_start_s", simStartS = "sim_start_s", scale }
    }

    static func now(clockFile: String?) throws -> @Sendable () -> Timestamp {
        guard let clockFile else { return NeighborhoodState.wallClock }
        guard let data = FileManager.default.contents(atPath: clockFile) else { throw ValidationError("--sim-clock: cannot read \(clockFile)") }
        let file: File
        do { file = try JSONDecoder().decode(File.self, from: data) } catch {
            throw ValidationError("--sim-clock \(clockFile): not a simulation clock (wall_start_s, sim_start_s, scale): \(error)")
        }
        guard file.scale.isFinite, (0.01...100_000).contains(file.scale), file.wallStartS.isFinite, file.simStartS.isFinite else {
            throw ValidationError("--sim-clock \(clockFile): scale must be within 0.01…100000 and the times finite")
        }
        return { Timestamp(secondsSinceEpoch: file.simStartS + (Date().timeIntervalSince1970 - file.wallStartS) * file.scale) }
    }
}
