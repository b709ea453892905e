public import AggregatorKit
import Logging
public import ServiceLifecycle

/// Advances rollouts as time passes: a soak that ends opens the next stage, a failed save or audit entry is
/// retried. It ticks every `interval`, or sooner when a soak ends sooner; reports advance rollouts themselves.
/// The coordinator's work is in memory and its store runs on its own thread, so no tick blocks the pool.
public struct RolloutService: Service {
    let coordinator: RolloutCoordinator
    let interval: Duration

    public init(coordinator: RolloutCoordinator, interval: Duration = .seconds(1)) {
        self.coordinator = coordinator
        self.interval = interval
    }

    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                var wait = interval
                if let wake = coordinator.nextWakeMs {
                    let untilWake = Duration.milliseconds(max(0, wake - coordinator.clock()))
                    if untilWake < wait { wait = untilWake }
                }
                try await Task.sleep(for: wait)
                await coordinator.tick()
            }
        }
    }
}
