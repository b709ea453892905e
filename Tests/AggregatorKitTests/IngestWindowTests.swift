import AggregatorKit
import AggregatorTesting
import Telemetry
import Testing

/// What the decoder accepts but the store must not take: clocks far off, reserved sequences, costly frames.
@Suite struct IngestWindowTests {
    static let nowMs = Batches.t0 + 86_400_000

    func upload(_ batch: TelemetryBatch, to store: any TelemetryStore, limits: IngestLimits = .init(), nowMs: Int64 = nowMs) async throws
        -> IngestDecision
    {
        await IngestPipeline(store: store, limits: limits)
            .ingest(certificateAgentID: batch.agentID, pathAgentID: batch.agentID, body: try Batches.frame(batch), receivedAtMs: nowMs)
    }

    @Test("a sample stamped beyond the skew window is refused, and the fleet view keeps following the agent", arguments: StoreKind.allCases)
    func futureSampleCannotPinTheFleetView(kind: StoreKind) async throws {
        try await withTemporaryDirectory { dir in
            let store = try kind.make(in: dir)
            let future = try Batches.make(sequence: 1, startMs: Self.nowMs + 365 * 86_400_000, rows: 2)
            let refused = try await upload(future, to: store)
            #expect(refused.status == 400 && refused.label == "time.future" && refused.ack == nil)
            // The agent's clock is fixed: its next batches show in the fleet view.
            for sequence in 2...3 {
                let batch = try Batches.make(sequence: UInt64(sequence), startMs: Self.nowMs - 60_000 + Int64(sequence) * 2_000, rows: 2)
                #expect(try await upload(batch, to: store).status == 200)
            }
            let latest = try #require(try await store.fleet().first?.latest.first { $0.channel.name == "phase_a_v" })
            #expect(latest.timeMs == Self.nowMs - 60_000 + 3 * 2_000 + 1_000)
        }
    }

    @Test("a sample just inside the skew window is taken; one just past it is not")
    func skewEdges() async throws {
        let limits = IngestLimits(maxFutureSkewMs: 10_000)
        let store = InMemoryTelemetryStore()
        let inside = try Batches.make(sequence: 1, startMs: Self.nowMs + 9_000, rows: 2)  // last row at +10 s
        #expect(try await upload(inside, to: store, limits: limits).status == 200)
        let past = try Batches.make(sequence: 2, startMs: Self.nowMs + 9_001, rows: 2)
        #expect(try await upload(past, to: store, limits: limits).label == "time.future")
    }

    @Test("start times of ±10^15 ms are refused with a label", arguments: [Int64(1_000_000_000_000_000), -1_000_000_000_000_000])
    func absurdStartTimes(startMs: Int64) async throws {
        let store = InMemoryTelemetryStore()
        let decision = try await upload(try Batches.make(sequence: 1, startMs: startMs, rows: 2), to: store)
        #expect(decision.status == 400)
        #expect(decision.label == (startMs > 0 ? "time.future" : "time.past"))
        #expect(try await store.fleet().isEmpty)
    }

    @Test("sequences 0 and 2^64−1 are refused", arguments: [UInt64(0), .max])
    func reservedSequences(sequence: UInt64) async throws {
        let store = InMemoryTelemetryStore()
        let batch = try Batches.make(sequence: 1, startMs: Self.nowMs - 600_000, rows: 2)
        let reserved = try TelemetryBatch(
            agentID: batch.agentID, sequence: sequence, startTimeMs: batch.startTimeMs, timing: batch.timing,
            channels: batch.channels, columns: batch.columns, rowCount: batch.rowCount)
        let decision = try await upload(reserved, to: store)
        #expect(decision.status == 400 && decision.label == "sequence.invalid")
        #expect(try await store.fleet().isEmpty)
    }

    @Test("a frame over the rows × channels cap is refused as frame.too_large (413), the default cap included")
    func cellCap() async throws {
        let store = InMemoryTelemetryStore()
        let small = try Batches.make(sequence: 1, startMs: Self.nowMs - 600_000, rows: 90)  // 360 cells
        let capped = try await upload(small, to: store, limits: IngestLimits(maxCellsPerFrame: 359))
        #expect(capped.status == 413 && capped.label == "frame.too_large")
        #expect(try await upload(small, to: store, limits: IngestLimits(maxCellsPerFrame: 360)).status == 200)
        // 600 rows × 64 channels = 38,400 cells: over the default 32,768.
        let channels = try (0..<64).map { try ChannelSpec(name: "charger_\($0 + 1)_kw") }
        let wide = try TelemetryBatch(
            agentID: "tx-1", sequence: 2, startTimeMs: Self.nowMs - 3_600_000, timing: .regular(intervalMs: 1_000),
            channels: channels, columns: channels.map { _ in (0..<600).map { Int64($0 % 50) } }, rowCount: 600)
        let refused = try await upload(wide, to: store)
        #expect(refused.status == 413 && refused.label == "frame.too_large")
    }
}
