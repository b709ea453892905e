import AggregatorKit
import AggregatorTesting
import Telemetry
import Testing

@Suite struct RenderingTests {
    /// Two rows, one second apart, with a gap, a negative value and the smallest quanta.
    func series(_ resolution: SampleResolution?) async throws -> SampleSeries {
        let store = InMemoryTelemetryStore()
        let batch = try TelemetryBatch(
            agentID: "tx-1", sequence: 1, startTimeMs: 60_000, timing: .regular(intervalMs: 1_000),
            channels: [try ChannelSpec(name: "phase_a_v"), try ChannelSpec(name: "total_kw"), try ChannelSpec(name: "freq_hz")],
            columns: [[2305, 2306], [-7, nil], [50_001, 49_999]], rowCount: 2)
        _ = try await store.ingestResult(batch: batch, frameBytes: 1, receivedAtMs: 1)
        return try await store.samples(SampleQuery(
            agentID: "tx-1", fromMs: 60_000, toMs: 120_000, channels: ["total_kw", "phase_a_v", "freq_hz"], resolution: resolution))
    }

    @Test func rawCSVIsExact() async throws {
        #expect(try await series(.raw).csvText() == """
            t_ms,total_kw,phase_a_v,freq_hz
            60000,-0.07,230.5,50.001
            61000,,230.6,49.999

            """)
    }

    @Test func minuteCSVHasMinMaxRoundedMeanAndCount() async throws {
        #expect(try await series(.minute).csvText() == """
            t_ms,total_kw_min,total_kw_max,total_kw_mean,total_kw_count,phase_a_v_min,phase_a_v_max,phase_a_v_mean,\
            phase_a_v_count,freq_hz_min,freq_hz_max,freq_hz_mean,freq_hz_count
            60000,-0.07,-0.07,-0.07,1,230.5,230.6,230.6,2,49.999,50.001,50.000,2

            """)
    }

    func json(_ value: some Encodable) -> String { String(decoding: ResponseJSON.encode(value), as: UTF8.self) }

    @Test func rawJSONIsExact() async throws {
        #expect(json(SeriesResponse(try await series(.raw))) == """
            {"agent_id":"tx-1","channels":["total_kw","phase_a_v","freq_hz"],"from_ms":60000,"resolution":"raw",\
            "rows":[[60000,-0.07,230.5,50.001],[61000,null,230.6,49.999]],"to_ms":120000,"truncated":false}
            """)
    }

    @Test func minuteJSONCarriesTheExactSum() async throws {
        let text = json(SeriesResponse(try await series(.minute)))
        #expect(text.contains(#"{"count":2,"max":230.6,"min":230.5,"sum":461.1}"#))
        #expect(text.contains(#""resolution":"minute""#))
    }

    @Test func fleetJSONHasOneShape() async throws {
        let store = InMemoryTelemetryStore()
        _ = try await store.ingest(batch: try Batches.make(sequence: 1, rows: 2), frameBytes: 1, receivedAtMs: 42)
        let text = json(FleetResponse(try await store.fleet()))
        #expect(text.hasPrefix(#"{"agents":[{"acknowledged_through":1,"agent_id":"tx-1","batches":1,"highest_sequence":1,"last_seen_ms":42,"latest":{"#))
        #expect(text.contains(#""phase_a_v":{"t_ms":\#(Batches.t0 + 1_000),"value":"#))
    }

    @Test func ackAndErrorBodies() {
        #expect(json(AckResponse(IngestAck(agentID: "tx-1", sequence: 7, duplicate: false, acknowledgedThrough: 7)))
            == #"{"agent_id":"tx-1","duplicate":false,"sequence":7}"#)
        #expect(json(ErrorResponse(error: "storage.busy", message: "queue \"full\"\n"))
            == #"{"error":"storage.busy","message":"queue \"full\"\n"}"#)
    }

    @Test(arguments: [(Int64(3), Int64(2), Int64(2)), (5, 2, 3), (-5, 2, -3), (-4, 3, -1), (7, 4, 2)])
    func roundedMeanIsHalfAwayFromZero(sum: Int64, count: Int64, mean: Int64) {
        #expect(MinuteAggregate(minQuanta: 0, maxQuanta: 0, sumQuanta: sum, count: count).roundedMeanQuanta == mean)
    }
}
