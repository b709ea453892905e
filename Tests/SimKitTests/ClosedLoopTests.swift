import FoundationEssentials
import GridCore
import SimKit
import Testing

/// The control cycle closed around the simulated feeder in one process (no Modbus): does the control itself
/// meet issue 3's evidence? The Modbus runs (AgentKit integration tests) must then match these.
@Suite("Closed loop in process: the agent against the simulated feeder")
struct ClosedLoopTests {
    static func scenario(_ name: String) throws -> Scenario {
        let root = #filePath.split(separator: "/").dropLast(3).joined(separator: "/")
        let bytes = try [UInt8](Data(contentsOf: URL(filePath: "/\(root)/examples/scenarios/\(name).json")))
        return try Scenario.decode(from: bytes)
    }

    static func run(_ name: String, policy: ControlPolicy?) throws -> InProcessLoop {
        var loop = InProcessLoop(scenario: try scenario(name), policy: policy)
        loop.runToEnd()
        return loop
    }

    @Test("unbalanced evening: average neutral current falls by at least 60 %, VUF stays under 2 %")
    func unbalancedEvening() throws {
        let baselineLoop = try Self.run("evening-unbalanced", policy: nil)
        let agentLoop = try Self.run("evening-unbalanced", policy: ControlPolicy.builtInSafeDefaults)
        let baseline = baselineLoop.simulation.metrics
        let agent = agentLoop.simulation.metrics
        let met = { (loop: InProcessLoop) in loop.simulation.sessions.filter { $0.metTarget == true }.count }
        let charged = { (loop: InProcessLoop) in loop.simulation.sessions.reduce(0) { $0 + $1.chargedKWh - $1.dischargedKWh } }
        print("sessions \(agentLoop.simulation.sessions.count): met target baseline \(met(baselineLoop)) agent \(met(agentLoop)); net kWh baseline \(charged(baselineLoop)) agent \(charged(agentLoop)); modes \(agentLoop.modeSeconds)")
        for (b, a) in zip(baselineLoop.simulation.sessions, agentLoop.simulation.sessions) where b.metTarget == true && a.metTarget != true {
            print("missed: \(a.sessionID) on \(a.chargerID): \(a.arrivalSocPercent)→\(a.finalSocPercent) target \(a.targetSocPercent)")
        }
        print("neutral avg A: baseline \(baseline.neutralCurrentAverageA) agent \(agent.neutralCurrentAverageA); VUF max \(baseline.vufMaxPercent) → \(agent.vufMaxPercent); hot-spot \(baseline.hotSpotPeakC) → \(agent.hotSpotPeakC)")
        #expect(agent.neutralCurrentAverageA <= 0.4 * baseline.neutralCurrentAverageA)
        #expect(agent.vufMaxPercent < 2)
    }
}
