@testable import AgentKit
import GridCore
import Logging
import ServiceLifecycle
import Synchronization
import Testing

/// The scripted field with a meter that moves a little every poll, so data quality never judges it frozen.
private final class MovingField: FieldBus {
    let field = ControlLoopTests.field()
    private var polls = 0

    func poll(now: Timestamp) -> FieldReading {
        polls += 1
        var reading = field.poll(now: now)
        reading.inputs.meter?.activePowerKW.a += Double(polls % 2) * 0.1
        reading.inputs.meter?.voltageV.a += Double(polls % 3) * 0.1
        return reading
    }

    func write(_ setpoints: [ChargerSetpoint], reversionTimeoutS: Double, now: Timestamp) -> FieldWriteResult {
        field.write(setpoints, reversionTimeoutS: reversionTimeoutS, now: now)
    }
}

/// The field the service's loop owns; the test reads it only after the group has returned.
private final class FieldHolder: @unchecked Sendable {  // touched by one task at a time (service run, then test)
    let moving = MovingField()
}

@Suite("Services stop gracefully")
struct ServiceShutdownTests {
    @Test("graceful shutdown of ControlLoopService stops the discharging chargers and returns without error")
    func controlLoopShutdown() async throws {
        let holder = FieldHolder()
        let (cycles, cycleSeen) = AsyncStream.makeStream(of: Int.self)
        var policy = ControlPolicy()
        policy.balancing.neutralWeight = 50  // heavy phase A pulls a1 into discharge (ControlLoopTests)
        policy.balancing.horizonEnabled = false  // one cycle's own balancing: the plan would not discharge a1
        policy.write.rampKWPerS = 1_000
        policy.cyclePeriodS = 0.1
        policy.version = 1
        // The policy arrives as any other does: through the inbox, taken before the first cycle.
        let inbox = PolicyInbox()
        inbox.deliver(.init(policy: policy, bundleBytes: [], receivedAt: .init(secondsSinceEpoch: 0), source: "test"))
        let executor = DedicatedThreadExecutor(name: "test-cycle")
        defer { executor.stop() }
        let onOwnThread = ThreadCheck()
        let service = ControlLoopService(
            logger: ControlLoopTests.logger, executor: executor,
            makeLoop: {
                ControlLoop(field: holder.moving, cache: GuardedCache(InMemoryAgentCache(), logger: ControlLoopTests.logger), inbox: inbox, logger: ControlLoopTests.logger)
            },
            afterCycle: { _, _, _, _ in
                onOwnThread.record(executor.isCurrentThread)
                cycleSeen.yield(1)
            })
        let group = ServiceGroup(configuration: .init(services: [.init(service: service)], logger: ControlLoopTests.logger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            for await _ in cycles { break }  // at least one cycle; more may run before the shutdown lands
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()  // throws if the service ended with an error
        }
        let writes = holder.moving.field.writes
        // What each charger was commanded last before the shutdown's own write.
        var commanded: [String: Double] = [:]
        for write in writes.dropLast() { for setpoint in write { commanded[setpoint.chargerID] = setpoint.activePowerKW } }
        let discharging = commanded.filter { $0.value < 0 }.keys.sorted()
        #expect(!discharging.isEmpty, "the scenario must discharge for this test to mean anything")
        let last = try #require(writes.last)
        #expect(last.map(\.chargerID).sorted() == discharging)
        #expect(last.allSatisfy { $0.activePowerKW == 0 && $0.reactivePowerKvar == 0 })
        // Every cycle ran on the service's own thread, never on the cooperative pool.
        #expect(onOwnThread.all == true)
    }
}

/// Whether every call so far was on the expected thread (nil before the first).
final class ThreadCheck: Sendable {
    private let state = Mutex<Bool?>(nil)
    func record(_ onThread: Bool) { state.withLock { $0 = ($0 ?? true) && onThread } }
    var all: Bool? { state.withLock { $0 } }
}
