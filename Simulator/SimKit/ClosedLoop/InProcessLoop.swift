public import GridCore

/// The agent's control cycle closed around the simulated feeder, in one process, without Modbus:
/// the quickest way to rehearse a policy on a scenario, and the reference the Modbus runs are compared to.
public struct InProcessLoop: Sendable {
    public private(set) var simulation: FeederSimulation
    public private(set) var state = CycleState()
    public let policy: ControlPolicy?
    public private(set) var modeSeconds: [CycleOutcome.Mode: Double] = [:]

    /// `policy` nil runs the scenario with no agent: every EV charges at its request (the baseline).
    /// `state` is what the agent remembers when the scenario starts (a load history from earlier days, say).
    public init(scenario: Scenario, policy: ControlPolicy?, state: CycleState = CycleState()) {
        self.init(simulation: FeederSimulation(scenario: scenario), policy: policy, state: state)
    }

    /// Closes the loop around a simulation made by the caller (a neighborhood's, with its power series window).
    public init(simulation: FeederSimulation, policy: ControlPolicy?, state: CycleState = CycleState()) {
        self.simulation = simulation
        self.policy = policy
        self.state = state
    }

    /// Raises or holds the transformer's ambient from now on (`FeederSimulation.adjustAmbient(_:)`).
    public mutating func adjustAmbient(_ adjustment: AmbientAdjustment?) throws(SimulationError) {
        try simulation.adjustAmbient(adjustment)
    }

    /// Runs to the end of the scenario, one control cycle per policy period.
    public mutating func runToEnd() {
        run(until: simulation.scenario.endTime)
    }

    /// Runs until `end` (the last period is cut short to land on it).
    public mutating func run(until end: Timestamp) {
        while end - simulation.time > 1e-9 { step(maxS: end - simulation.time) }
    }

    public var isFinished: Bool { simulation.time >= simulation.scenario.endTime }

    /// One control cycle (when there is an agent), then one period of physics. Returns the cycle's outcome.
    @discardableResult
    public mutating func step(maxS: Double = .infinity) -> CycleOutcome? {
        let outcome = policy.map { cycle($0) }
        simulation.advance(by: min(policy?.cyclePeriodS ?? 1, maxS))
        return outcome
    }

    private mutating func cycle(_ policy: ControlPolicy) -> CycleOutcome {
        let seen = simulation.observe()
        let inputs = CycleInputs(
            meter: seen.meter, ambientC: seen.ambientC, topOilC: seen.topOilC, chargers: seen.chargers.map(\.state))
        let outcome = ControlCycle(policy: policy).run(state, inputs: inputs, now: seen.time)
        state = outcome.state
        modeSeconds[outcome.mode, default: 0] += policy.cyclePeriodS
        for write in outcome.writes {
            // As the agent writes 704: reversion to 0 (stop). A charger that went off the bus meanwhile refuses: it
            // is re-planned next cycle.
            do {
                try simulation.apply(
                    setpoint: write.chargerID, activeKW: write.activePowerKW, reactiveKvar: write.reactivePowerKvar,
                    revertAfterS: policy.write.reversionTimeoutS, revertTo: .stop)
            } catch {
                state.written[write.chargerID] = nil
            }
        }
        return outcome
    }
}
