import AggregatorKit
import AggregatorServer
import AggregatorTesting
import Foundation
import GridCore
import Logging
import Testing

@Suite("Rollout service")
struct RolloutServiceTests {
    @Test("the service ends a soak on its own: the next wave opens without any request, then it stops on cancellation")
    func advancesOnItsTimer() async throws {
        let logger = Logger(label: "rollout-service-tests") { _ in SwiftLogNoOpLogHandler() }
        let coordinator = try await RolloutCoordinator.open(store: InMemoryPolicyStore(), pinnedRoot: policyFixture.root, logger: logger)
        let now = Timestamp(secondsSinceEpoch: Date().timeIntervalSince1970)
        let request = RolloutRequest(bundle: try policyFixture.bundle(version: 3, now: now), canary: 1, waves: 1, soakS: 1, agents: ["a", "b"])
        _ = try await coordinator.start(request, by: "ops", fleet: []).get()
        _ = await coordinator.bundle(for: "a", ifNoneMatch: nil)
        _ = try await coordinator.report(Array(#"{"version": 3, "result": "applied"}"#.utf8), from: "a").get()
        #expect(coordinator.rollout(id: 1)?.stage == 0)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await RolloutService(coordinator: coordinator, interval: .milliseconds(200)).run() }
            // A loaded machine may be slow to schedule the service; the soak is 1 s.
            let deadline = ContinuousClock.now + .seconds(120)
            while coordinator.rollout(id: 1)?.stage != 1, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
            group.cancelAll()
            try await group.waitForAll()
        }
        #expect(coordinator.rollout(id: 1)?.stage == 1)
    }
}
