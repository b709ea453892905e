import AggregatorKit
import AggregatorTesting
import Telemetry
import Testing

@Suite struct IngestPipelineTests {
    let store = InMemoryTelemetryStore()

    /// A day after the test batches: they are all in the past, well inside the window.
    static let nowMs = Batches.t0 + 86_400_000

    func upload(
        _ body: [UInt8], cert: String? = "tx-1", path: String = "tx-1", limits: IngestLimits = .init(), nowMs: Int64 = nowMs
    ) async -> IngestDecision {
        await IngestPipeline(store: store, limits: limits).ingest(certificateAgentID: cert, pathAgentID: path, body: body, receivedAtMs: nowMs)
    }

    @Test func storesThenAcknowledgesARetryAsDuplicate() async throws {
        let batch = try Batches.make(sequence: 1)
        let first = try await upload(try Batches.frame(batch))
        #expect(first.status == 200 && first.label == "stored" && first.samples == batch.valueCount)
        #expect(first.ack == IngestAck(agentID: "tx-1", sequence: 1, duplicate: false, acknowledgedThrough: 1))
        // The retry is encoded differently (another level): still the same batch.
        let retry = try await upload(try TelemetryEncoder(compressionLevel: 19).encode(batch))
        #expect(retry.status == 200 && retry.label == "duplicate" && retry.samples == 0)
        #expect(retry.ack == IngestAck(agentID: "tx-1", sequence: 1, duplicate: true, acknowledgedThrough: 1))
        #expect(store.counters().total.batches == 1 && store.counters().total.duplicates == 1)
    }

    @Test func reusedSequenceIs409() async throws {
        _ = try await upload(try Batches.frame(try Batches.make(sequence: 1)))
        let decision = try await upload(try Batches.frame(try Batches.make(sequence: 1, startMs: Batches.t0 + 999_000)))
        #expect(decision.status == 409 && decision.label == "sequence.conflict" && decision.ack == nil)
    }

    @Test(arguments: [1, 3, 5, 6, 12, -1])
    func truncatedFrame(keep: Int) async throws {
        let frame = try Batches.frame(try Batches.make(sequence: 1))
        let decision = try await upload(Array(frame.prefix(keep > 0 ? keep : frame.count + keep)))
        #expect(decision.status == 400 && decision.label == "frame.truncated" && decision.ack == nil)
        #expect(try await store.fleet().isEmpty)
    }

    @Test func garbage() async throws {
        let bytes: [UInt8] = (0..<200).map { UInt8(truncatingIfNeeded: $0 &* 151 &+ 7) }
        let noVersion = try await upload(bytes)
        #expect(noVersion.status == 400 && noVersion.label == "frame.bad_version")
        // A valid header over bytes that are not zstd.
        let frame = try Batches.frame(try Batches.make(sequence: 1))
        let decision = try await upload(Array(frame.prefix(6)) + bytes)
        #expect(decision.status == 400 && decision.label == "frame.corrupt")
        var flipped = frame
        flipped[frame.count / 2] ^= 0x5A
        #expect(try await upload(flipped).status == 400)
        #expect(try await store.fleet().isEmpty)
    }

    @Test func decompressionBombIs413() async throws {
        let frame = try Batches.frame(try Batches.make(sequence: 1, rows: 600))
        let limits = IngestLimits(telemetry: TelemetryLimits(maxBodyBytes: 512))
        let decision = try await upload(frame, limits: limits)
        #expect(decision.status == 413 && decision.label == "frame.bomb" && decision.ack == nil)
        #expect(try await store.fleet().isEmpty)
    }

    @Test func oversizedBodyIs413BeforeDecoding() async throws {
        let frame = try Batches.frame(try Batches.make(sequence: 1))
        let decision = try await upload(frame, limits: IngestLimits(maxBodyBytes: frame.count - 1))
        #expect(decision.status == 413 && decision.label == "body.too_large")
        #expect(try await upload(frame, limits: IngestLimits(maxBodyBytes: frame.count)).status == 200)
    }

    @Test func agentIdentityMustAgree() async throws {
        let own = try Batches.frame(try Batches.make(sequence: 1))
        let pathMismatch = try await upload(own, cert: "tx-1", path: "tx-2")
        #expect(pathMismatch.status == 403 && pathMismatch.label == "agent.mismatch")
        let frameMismatch = try await upload(try Batches.frame(try Batches.make(agent: "tx-2", sequence: 1)), cert: "tx-1", path: "tx-1")
        #expect(frameMismatch.status == 403 && frameMismatch.label == "agent.mismatch")
        let anonymous = try await upload(own, cert: nil)
        #expect(anonymous.status == 403 && anonymous.label == "agent.no_certificate")
        #expect(try await store.fleet().isEmpty)
    }
}
