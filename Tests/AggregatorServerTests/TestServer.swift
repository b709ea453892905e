import AggregatorKit
import AggregatorServer
import AggregatorTesting
import Foundation
import GridCore
import Hummingbird
import Logging
import ServiceLifecycle
import Telemetry

/// The signed-policy fixture of the server tests: its root expires a year from now (the server runs on the wall clock).
let policyFixture = SignedPolicyFixture(expires: Timestamp(secondsSinceEpoch: Date().timeIntervalSince1970 + 365 * 86_400))

/// Starts the real HTTPS application, on real SQLite stores (telemetry and policy) in a temporary directory, on an
/// ephemeral loopback port, pinning `policyFixture.root` (and serving the live state routes on `neighborhood`, when
/// given); runs `body` with a curl client, then stops it.
func withTestServer<T: Sendable>(
    limits: AggregatorConfig.Limits = .init(maxBodyBytes: 4_096),
    storage: AggregatorConfig.Storage = .init(),
    crlFile: String? = nil,
    neighborhood: NeighborhoodState? = nil,
    _ body: @Sendable (CurlClient, SQLiteTelemetryStore, AggregatorApplication) async throws -> T
) async throws -> T {
    try await withPolicyTestServer(limits: limits, storage: storage, crlFile: crlFile, neighborhood: neighborhood) { client, store, server, _ in
        try await body(client, store, server)
    }
}

/// The same, handing `body` the rollout coordinator too (its store is `policy.sqlite` beside the telemetry, which
/// holds the goals as well). With `wiringPolicy` false the server gets the goal store but no coordinator: no policy
/// routes and no audit log.
func withPolicyTestServer<T: Sendable>(
    limits: AggregatorConfig.Limits = .init(maxBodyBytes: 4_096),
    storage: AggregatorConfig.Storage = .init(),
    crlFile: String? = nil,
    wiringPolicy: Bool = true,
    plan: PlanRoutes? = nil,
    dashboard: DashboardFeed? = nil,
    neighborhood: NeighborhoodState? = nil,
    _ body: @Sendable (CurlClient, SQLiteTelemetryStore, AggregatorApplication, RolloutCoordinator) async throws -> T
) async throws -> T {
    let pki = PKIFixture.shared
    let directory = NSTemporaryDirectory() + "agg-server-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    var storage = storage
    storage.path = directory + "/telemetry.sqlite"
    let config = AggregatorConfig(
        listen: .init(host: "127.0.0.1", port: 0),
        tls: .init(caFile: pki.caFile, certFile: pki.serverCert, keyFile: pki.serverKey, crlFile: crlFile ?? pki.crlFile),
        storage: storage, limits: limits
    )
    let store = try SQLiteTelemetryStore(
        path: storage.path, queueCapacity: storage.writeQueueBatches, batchesPerTransaction: storage.batchesPerTransaction,
        busyTimeoutMilliseconds: 60_000)  // a test may hold the write lock from another connection on a loaded machine
    defer { store.close() }
    let pipeline = IngestPipeline(
        store: store,
        limits: IngestLimits(
            maxBodyBytes: limits.maxBodyBytes, maxCellsPerFrame: limits.maxCellsPerFrame,
            maxFutureSkewMs: Int64(limits.maxClockSkewS) * 1_000))
    let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
    var logger = Logger(label: "agg-server-tests")
    logger.logLevel = .warning
    let policyStore = try SQLitePolicyStore(path: storage.resolvedPolicyPath)
    defer { policyStore.close() }
    let coordinator = try await RolloutCoordinator.open(store: policyStore, pinnedRoot: policyFixture.root, logger: logger)
    let goals = try SQLiteGoalStore(path: storage.resolvedPolicyPath)
    defer { goals.close() }
    let server = try AggregatorApplication(
        config: config, pipeline: pipeline, coordinator: wiringPolicy ? coordinator : nil, goals: goals, logger: logger,
        neighborhood: neighborhood, plan: plan, dashboard: dashboard
    ) { channel in
        portContinuation.yield(channel.localAddress?.port ?? 0)
        portContinuation.finish()
    }
    // Child tasks inherit the preference, so every connection's handler runs on the server's own thread.
    return try await withTaskExecutorPreference(ServerExecutor.shared) {
        // Stopped by graceful shutdown, never by cancelling its task: a cancelled server drops the connections it
        // accepted but had not handed out yet, and NIO traps on each ("Deinited NIOAsyncWriter without calling
        // finish()"), which crashed whole test runs now and then. Graceful shutdown serves them, then ends.
        let services = ServiceGroup(configuration: .init(services: [server.application], gracefulShutdownSignals: [], logger: logger))
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await services.run() }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next(), port > 0 else {
                await services.triggerGracefulShutdown()
                throw CocoaError(.featureUnsupported)
            }
            let result: T
            do {
                result = try await body(CurlClient(port: port, pki: pki), store, server, coordinator)
            } catch {
                await services.triggerGracefulShutdown()
                throw error
            }
            await services.triggerGracefulShutdown()
            try await group.waitForAll()
            return result
        }
    }
}

/// The start of the frames `makeFrame` makes: a whole minute, ten minutes ago (inside the clock window).
let frameStartMs: Int64 = {
    let now = Int64(Date().timeIntervalSince1970 * 1000)
    return now - now % 60_000 - 600_000
}()

/// A small valid frame of agent `agentID`: three 1 Hz rows, two channels, one missing sample.
func makeFrame(agentID: String, sequence: UInt64, startMs: Int64 = frameStartMs) throws -> [UInt8] {
    let batch = try TelemetryBatch(
        agentID: agentID, sequence: sequence, startTimeMs: startMs, timing: .regular(intervalMs: 1_000),
        channels: [try ChannelSpec(name: "phase_a_v"), try ChannelSpec(name: "total_kw")],
        columns: [[2_301, 2_302, 2_299], [1_250, nil, 1_310]], rowCount: 3
    )
    return try TelemetryEncoder().encode(batch)
}

/// The value of one Prometheus sample line (`name{labels} value`), nil when absent.
func metricValue(_ text: String, _ series: String) -> Double? {
    for line in text.split(separator: "\n") where line.hasPrefix(series + " ") {
        return Double(line.dropFirst(series.count + 1))
    }
    return nil
}

extension SQLiteTelemetryStore {
    /// Batches stored for `agent` (0 when it has none).
    func batchCount(of agent: String) async throws -> Int64 {
        try await fleet().first { $0.agentID == agent }?.batches ?? 0
    }
}
