import AggregatorKit
import Telemetry
import Testing

@Suite struct RenderingTests {
    /// Two rows, one second apart, with a gap, a negative value and the smallest quanta.
    func series(_ resolution: SampleResolution?) throws -> SampleSeries {
        let store = InMemoryTelemetryStore()
        let batch = try TelemetryBatch(
            agentID: "tx-1", sequence: 1, startTimeMs: 60_000, timing: .regular(intervalMs: 1_000),
            channels: [try ChannelSpec(name: "phase_a_v"), try ChannelSpec(name: "total_kw"), try ChannelSpec(name: "freq_hz")],
            columns: [[2305, 2306], [-7, nil], [50_001, 49_999]], rowCount: 2)
        _ = try store.ingest(batch: batch, frameBytes: 1, receivedAtMs: 1)
        return try store.samples(SampleQuery(
            agentID: "tx-1", fromMs: 60_000, toMs: 120_000, channels: ["total_kw", "phase_a_v", "freq_hz"], resolution: resolution))
    }

    @Test func rawCSVIsExact() throws {
        #expect(try series(.raw).csvText() == """
            t_ms,total_kw,phase_a_v,freq_hz
            60000,-0.07,230.5,50.001
            61000,,230.6,49.999

            """)
    }

    @Test func minuteCSVHasMinMaxRoundedMeanAndCount() throws {
        #expect(try series(.minute).csvText() == """
            t_ms,total_kw_min,total_kw_max,total_kw_mean,total_kw_count,phase_a_v_min,phase_a_v_max,phase_a_v_mean,\
            phase_a_v_count,freq_hz_min,freq_hz_max,freq_hz_mean,freq_hz_count
            60000,-0.07,-0.07,-0.07,1,230.5,230.6,230.6,2,49.999,50.001,50.000,2

            """)
    }

    @Test func rawJSONIsExact() throws {
        #expect(try series(.raw).jsonText() == """
            {"agent":"tx-1","resolution":"raw","from_ms":60000,"to_ms":120000,"truncated":false,\
            "channels":["total_kw","phase_a_v","freq_hz"],"rows":[[60000,-0.07,230.5,50.001],[61000,null,230.6,49.999]]}
            """)
    }

    @Test func minuteJSONCarriesTheExactSum() throws {
        let json = try series(.minute).jsonText()
        #expect(json.contains("{\"min\":230.5,\"max\":230.6,\"sum\":461.1,\"count\":2}"))
        #expect(json.contains("\"resolution\":\"minute\""))
    }

    @Test func fleetJSON() throws {
        let store = InMemoryTelemetryStore()
        _ = try store.ingest(batch: try Batches.make(sequence: 1, rows: 2), frameBytes: 1, receivedAtMs: 42)
        let json = AgentFleetState.jsonText(try store.fleet())
        #expect(json.hasPrefix("[{\"agent\":\"tx-1\",\"last_seen_ms\":42,\"highest_sequence\":1,\"acknowledged_through\":1,\"batches\":1"))
        #expect(json.contains("\"phase_a_v\":{\"t_ms\":\(Batches.t0 + 1_000),\"value\":"))
    }

    @Test(arguments: [(Int64(3), Int64(2), Int64(2)), (5, 2, 3), (-5, 2, -3), (-4, 3, -1), (7, 4, 2)])
    func roundedMeanIsHalfAwayFromZero(sum: Int64, count: Int64, mean: Int64) {
        #expect(MinuteAggregate(minQuanta: 0, maxQuanta: 0, sumQuanta: sum, count: count).roundedMeanQuanta == mean)
    }
}
