public import GridCore

/// Runs a `FeederSimulation` behind its `SimulatedField`: every tick applies the setpoints the agent wrote since the
/// last one, advances the physics and publishes the result. `step` runs unpaced (tests); `run` paces it in wall time.
public struct SimulationRunner: Sendable {
    public private(set) var simulation: FeederSimulation
    public let field: SimulatedField
    /// Setpoints applied to the physics, and those it refused (a charger that went off the bus meanwhile).
    public private(set) var appliedSetpoints = 0
    public private(set) var refusedSetpoints = 0

    /// Publishes the simulation's state at once, so the servers never show an empty image.
    public init(simulation: FeederSimulation, field: SimulatedField) {
        self.simulation = simulation
        self.field = field
        field.publish(simulation.observe())
    }

    /// Raises or holds the transformer's ambient from now on (`FeederSimulation.adjustAmbient(_:)`).
    public mutating func adjustAmbient(_ adjustment: AmbientAdjustment?) throws(SimulationError) {
        try simulation.adjustAmbient(adjustment)
    }

    /// One tick without pacing: apply the drained setpoints, advance by `simulatedSeconds`, publish.
    public mutating func step(simulatedSeconds: Double) {
        for setpoint in field.drainSetpoints() {
            do {
                try setpoint.apply(to: &simulation)
                appliedSetpoints += 1
            } catch {
                refusedSetpoints += 1
            }
        }
        simulation.advance(by: simulatedSeconds)
        field.publish(simulation.observe())
    }

    /// Paces the run: every `tickS` of wall time, simulated time catches up with `clock` (so an agent reading the same
    /// clock sees the same time), until `end` or until `shouldStop` returns true. Throws `CancellationError` when the
    /// task is cancelled.
    public mutating func run(
        clock: SimulationClock, until end: Timestamp, tickS: Double = 0.01, shouldStop: @Sendable () -> Bool = { false }
    ) async throws {
        while simulation.time < end, !shouldStop() {
            try await Task.sleep(for: .milliseconds(Int((tickS * 1000).rounded())))
            let target = min(clock.simulatedTime(atWallS: SimulationClock.wallNowS()), end)
            step(simulatedSeconds: target - simulation.time)
        }
    }
}
