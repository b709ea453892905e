import Testing
@testable import Telemetry

@Suite("Channel names: one vocabulary, coded in the frame")
struct ChannelCodebookTests {
    static func roundTrip(_ name: String) throws -> (bytes: Int, back: String) {
        var writer = ByteWriter()
        ChannelCodebook.write(name, into: &writer)
        var reader = ByteReader(writer.bytes)
        let back = try ChannelCodebook.read(from: &reader, channel: 0)
        #expect(reader.isAtEnd)
        return (writer.bytes.count, back)
    }

    /// The codebook is wire format: this list may only change with a new format version.
    @Test("the fixed codebook is pinned")
    func pinned() {
        #expect(ChannelCodebook.fixed == [
            "phase_a_v", "phase_b_v", "phase_c_v", "phase_a_a", "phase_b_a", "phase_c_a",
            "phase_a_kw", "phase_b_kw", "phase_c_kw", "phase_a_kvar", "phase_b_kvar", "phase_c_kvar",
            "grid_hz", "ambient_c", "top_oil_c", "hot_spot_c", "neutral_a", "vuf_pct", "ev_total_kw",
            "total_kw", "total_kvar",
        ])
        #expect(ChannelCodebook.families.map { TransformerChannels.charger(7, $0) }
            == ["charger_7_kw", "charger_7_kvar", "charger_7_soc_pct"])
        #expect(TransformerChannels.minuteMeanPrefix == "avg1m_")
    }

    @Test("the agent's row, with and without the minute-mean prefix, is coded in one or three bytes a name")
    func agentRow() throws {
        let names = TransformerChannels.agentRow(chargerCount: 40)
        #expect(Set(names).count == names.count)
        for name in names + names.map({ TransformerChannels.minuteMeanPrefix + $0 }) {
            let (bytes, back) = try Self.roundTrip(name)
            #expect(back == name)
            #expect(bytes <= 3, "\(name) took \(bytes) bytes")
            _ = try ChannelSpec(name: name)
        }
    }

    @Test("other names travel as text and come back exactly", arguments: [
        "x_v", "charger_0_kw", "charger_01_kw", "charger_1000_kw", "charger_2_pct", "avg1m_x_hz", "avg1m_avg1m_grid_hz",
        "phase_d_v", "total_kw_", "charger_3_soc",
    ])
    func literal(name: String) throws {
        let (bytes, back) = try Self.roundTrip(name)
        #expect(back == name)
        #expect(bytes == 2 + name.utf8.count)
    }

    @Test("an unknown code or charger 0 is refused")
    func badCodes() {
        for bytes in [[UInt8(2 * (ChannelCodebook.fixed.count + ChannelCodebook.families.count) + 1)],
                      [UInt8(1 + 2 * ChannelCodebook.fixed.count), 0]] {
            var reader = ByteReader(bytes)
            let error = #expect(throws: TelemetryFrameError.self) { try ChannelCodebook.read(from: &reader, channel: 3) }
            #expect(error?.description == "frame.bad_field")
            #expect(error?.message.contains("channel 3") == true)
        }
    }
}
