@testable import AggregatorKit
import Testing

@Suite struct SampleFrameTests {
    @Test func roundTripsAndDropsEmptyRowsAndChannels() async throws {
        let frame = SampleFrame(
            times: [-5_000, 0, 7, 1_763_749_980_000, 1_763_749_980_001],
            channels: ["a_v", "b_w", "empty_kw"],
            columns: [[1, nil, -(1 << 53) + 1, 0, nil], [nil, nil, (1 << 53) - 1, -3, nil], [nil, nil, nil, nil, nil]])
        #expect(frame.times == [-5_000, 7, 1_763_749_980_000])
        #expect(frame.channels == ["a_v", "b_w"])
        #expect(frame.cellCount == 5)
        #expect(try SampleFrame(decoding: frame.encoded()) == frame)
        let trimmed = frame.dropping(before: 8)
        #expect(trimmed.times == [1_763_749_980_000] && trimmed.columns == [[0], [-3]])
    }

    @Test func malformedBlobIsCorrupt() async throws {
        let bytes = SampleFrame(times: [1, 2], channels: ["a_v"], columns: [[5, 6]]).encoded()
        let broken: [[UInt8]] = [Array(bytes.dropLast()), bytes + [0], [2] + Array(bytes.dropFirst()), [0xFF, 0xFF]]
        for broken in broken {
            #expect(throws: TelemetryStoreError.self) { try SampleFrame(decoding: broken) }
        }
    }
}
