import AgentKit
import AggregatorKit
import AggregatorServer
import Foundation
import GridCore
import Logging
import MeshPlanner
import Testing

/// How old the aggregator's view of a transformer is in normal running: the agent's real reporter (libcurl, mutual
/// TLS, every 2 s) against the real server, a control cycle every second, the board's age sampled four times a second.
@Suite("Live state freshness")
struct StateFreshnessTests {
    static func preciseNow() -> Timestamp { Timestamp(secondsSinceEpoch: Date().timeIntervalSince1970) }

    /// Agent a1's uplink settings against the test server.
    static func settings(_ client: CurlClient) -> UplinkSettings {
        let pki = client.pki
        var settings = UplinkSettings(
            baseURL: "https://127.0.0.1:\(client.port)/", agentID: "a1",
            tls: UplinkTLSFiles(caPath: pki.caFile, certificatePath: pki.agentCert("a1"), keyPath: pki.agentKey("a1")))
        settings.connectTimeoutS = 5
        settings.totalTimeoutS = 10
        return settings
    }

    /// One control cycle of a small field at `now` (two EVs, the meter moving a little each step, as a live one does:
    /// a reading frozen for three cycles is bad data), put on `board` as the control loop does; returns the next state.
    static func recordCycle(_ board: StateReportBoard, state: CycleState, step: Int, now: Timestamp) -> CycleState {
        let meter = MeterReading(
            time: now, voltageV: PerPhase(repeating: 230 + 0.01 * Double(step % 50)), currentA: PerPhase(repeating: 40),
            activePowerKW: PerPhase(a: 20, b: 5, c: 5), reactivePowerKvar: PerPhase(repeating: 1), frequencyHz: 60)
        let chargers = ["c1", "c2"].enumerated().map { i, id in
            ChargerState(
                id: id, connection: .single(i == 0 ? .a : .b), ratedChargeKW: 7.4, ratedDischargeKW: 7.4, ratedKVA: 7.4,
                ev: EVState(socPercent: 60, batteryTempC: 25, capacityKWh: 60, requestedKW: 7))
        }
        let inputs = CycleInputs(meter: meter, ambientC: 20, chargers: chargers)
        let policy = ControlPolicy()
        let outcome = ControlCycle(policy: policy).run(state, inputs: inputs, now: now)
        board.record(inputs: inputs, outcome: outcome, policy: policy, now: now)
        return outcome.state
    }

    @Test("normally ≤ 5 s old: reported every 2 s, sampled over 15 s (the bound asserted is a generous 10 s)")
    func freshness() async throws {
        let neighborhood = NeighborhoodState()
        try await withTestServer(neighborhood: neighborhood) { client, _, server in
            let board = StateReportBoard(agentID: "a1")
            let executor = DedicatedThreadExecutor(name: "test-state")
            defer { executor.stop() }
            var logger = Logger(label: "state-freshness")
            logger.logLevel = .warning
            let service = try StateReportService(
                settings: Self.settings(client), intervalS: 2, board: board, envelopes: nil, now: Self.preciseNow, executor: executor,
                logger: logger)
            let ages = try await withThrowingTaskGroup(of: Void.self, returning: [Double].self) { group in
                group.addTask { try await service.run() }
                group.addTask {
                    var state = CycleState()
                    var step = 0
                    while !Task.isCancelled {
                        state = Self.recordCycle(board, state: state, step: step, now: Self.preciseNow())
                        step += 1
                        try await Task.sleep(for: .seconds(1))
                    }
                }
                defer { group.cancelAll() }
                let clock = ContinuousClock()
                // The first report lands within one interval (two on a loaded machine); then 15 s of samples.
                let firstDeadline = clock.now + .seconds(20)
                while neighborhood.fleet.entry(for: "a1") == nil, clock.now < firstDeadline { try await Task.sleep(for: .milliseconds(100)) }
                var ages: [Double] = []
                let end = clock.now + .seconds(15)
                while clock.now < end {
                    if let entry = neighborhood.fleet.entry(for: "a1") { ages.append(entry.ageS(at: Self.preciseNow())) }
                    try await Task.sleep(for: .milliseconds(250))
                }
                return ages
            }
            let sorted = ages.sorted()
            let p50 = sorted.isEmpty ? .nan : sorted[sorted.count / 2]
            let worst = sorted.last ?? .nan
            let metrics = String(decoding: server.metrics.render(), as: UTF8.self)
            let arrivals = metricValue(metrics, "v2g_state_report_age_on_arrival_seconds_count") ?? 0
            let arrivalSum = metricValue(metrics, "v2g_state_report_age_on_arrival_seconds_sum") ?? 0
            print(
                "state freshness: \(ages.count) samples over 15 s, board age p50 \(String(format: "%.2f", p50)) s, max \(String(format: "%.2f", worst)) s; "
                    + "\(Int(arrivals)) reports, mean age on arrival \(String(format: "%.3f", arrivals > 0 ? arrivalSum / arrivals : .nan)) s")
            #expect(ages.count >= 50, "the board stayed empty: no report arrived")
            #expect(worst < 10, "the aggregator's view grew \(worst) s old")
            #expect(arrivals >= 5)
        }
    }
}
