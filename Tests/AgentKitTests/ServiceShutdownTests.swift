@testable import AgentKit
import GridCore
import Logging
import ServiceLifecycle
import Testing

/// The field the service's loop owns; the test reads it only after the group has returned.
private final class FieldHolder: @unchecked Sendable {  // touched by one task at a time (service run, then test)
    let field = ControlLoopTests.field()
}

@Suite("Services stop gracefully")
struct ServiceShutdownTests {
    @Test("graceful shutdown of ControlLoopService stops the discharging chargers and returns without error")
    func controlLoopShutdown() async throws {
        let holder = FieldHolder()
        let (cycles, cycleSeen) = AsyncStream.makeStream(of: Int.self)
        var policy = ControlPolicy()
        policy.balancing.neutralWeight = 50  // heavy phase A pulls a1 into discharge (ControlLoopTests)
        policy.write.rampKWPerS = 1_000
        policy.cyclePeriodS = 0.1
        let adopted = policy
        let service = ControlLoopService(
            logger: ControlLoopTests.logger,
            makeLoop: {
                let loop = ControlLoopTests.loop(holder.field)
                loop.adopt(adopted)
                return loop
            },
            afterCycle: { _, _, _, _ in cycleSeen.yield(1) })
        let group = ServiceGroup(configuration: .init(services: [.init(service: service)], logger: ControlLoopTests.logger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            // One cycle: a scripted meter that never changes is judged frozen (safe state) from the third.
            for await _ in cycles { break }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()  // throws if the service ended with an error
        }
        let writes = holder.field.writes
        let discharged = writes.first?.filter { $0.activePowerKW < 0 }.map(\.chargerID) ?? []
        #expect(!discharged.isEmpty, "the scenario must discharge for this test to mean anything")
        let last = try #require(writes.last)
        #expect(last.map(\.chargerID).sorted() == discharged.sorted())
        #expect(last.allSatisfy { $0.activePowerKW == 0 && $0.reactivePowerKvar == 0 })
    }
}
