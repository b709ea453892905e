package import Telemetry

/// The pure part of storing a batch, shared by both stores: its non-empty cells, its content digest,
/// and the one-minute aggregates of the cells actually stored.
package enum BatchCells {
    static let minuteMs: Int64 = 60_000

    /// The start of the minute holding `timeMs` (floor, also before 1970).
    package static func minuteStart(of timeMs: Int64) -> Int64 {
        let remainder = ((timeMs % minuteMs) + minuteMs) % minuteMs
        return timeMs - remainder
    }

    /// Calls `body(channelIndex, timeMs, quanta)` for every non-empty cell, channel by channel, in time order.
    package static func forEachCell<E: Error>(of batch: TelemetryBatch, _ body: (Int, Int64, Int64) throws(E) -> Void) throws(E) {
        for (channel, column) in batch.columns.enumerated() {
            for (row, value) in column.enumerated() {
                if let value { try body(channel, batch.timeMs(ofRow: row), value) }
            }
        }
    }

    /// The batch's cells as a frame, leaving out those whose (channel, time) is in `held` (already stored):
    /// the first value stored for a channel and time is the one kept.
    static func frame(of batch: TelemetryBatch, without held: [String: Set<Int64>] = [:]) -> SampleFrame {
        let times = (0..<batch.rowCount).map { batch.timeMs(ofRow: $0) }
        let columns = zip(batch.channels, batch.columns).map { spec, column in
            guard let heldTimes = held[spec.name] else { return column }
            return column.indices.map { heldTimes.contains(times[$0]) ? nil : column[$0] }
        }
        return SampleFrame(times: times, channels: batch.channels.map(\.name), columns: columns)
    }

    /// The one-minute aggregates of a frame's cells: one per (channel, minute), summed in Swift.
    static func minuteAggregates(of frame: SampleFrame) throws(TelemetryStoreError) -> [(MinuteAccumulator.Key, MinuteAggregate)] {
        var result: [(MinuteAccumulator.Key, MinuteAggregate)] = []
        for (name, column) in zip(frame.channels, frame.columns) {
            // Times increase, so each minute is one run of the column.
            var current: (minuteMs: Int64, aggregate: MinuteAggregate)?
            for (row, value) in column.enumerated() {
                guard let value else { continue }
                let one = MinuteAggregate(minQuanta: value, maxQuanta: value, sumQuanta: value, count: 1)
                let minute = minuteStart(of: frame.times[row])
                if var open = current, open.minuteMs == minute {
                    try open.aggregate.merge(one, channel: name)
                    current = open
                } else {
                    if let open = current { result.append((MinuteAccumulator.Key(channel: name, minuteMs: open.minuteMs), open.aggregate)) }
                    current = (minute, one)
                }
            }
            if let open = current { result.append((MinuteAccumulator.Key(channel: name, minuteMs: open.minuteMs), open.aggregate)) }
        }
        return result
    }

    /// FNV-1a (64-bit) over the batch's decoded contents: a retry encoded differently (level, dictionary)
    /// has the same digest, a different batch under the same sequence almost surely not.
    package static func digest(of batch: TelemetryBatch) -> Int64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        func mix(_ value: UInt64) {
            for shift in stride(from: 0, to: 64, by: 8) {
                hash = (hash ^ ((value >> UInt64(shift)) & 0xFF)) &* 0x0000_0100_0000_01B3
            }
        }
        func mix(_ text: String) {
            mix(UInt64(text.utf8.count))
            for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        }
        mix(batch.agentID)
        mix(batch.sequence)
        mix(UInt64(bitPattern: batch.startTimeMs))
        mix(UInt64(batch.rowCount))
        for row in 0..<batch.rowCount { mix(UInt64(bitPattern: batch.timeMs(ofRow: row))) }
        for (channel, column) in zip(batch.channels, batch.columns) {
            mix(channel.name)
            for value in column {
                if let value { mix(1); mix(UInt64(bitPattern: value)) } else { mix(0) }
            }
        }
        return Int64(bitPattern: hash)
    }
}

/// Accumulates stored cells into one-minute aggregates, keyed by channel name and minute start.
package struct MinuteAccumulator {
    package struct Key: Hashable {
        package var channel: String
        package var minuteMs: Int64
    }

    package private(set) var aggregates: [Key: MinuteAggregate] = [:]

    package init() {}

    package mutating func add(channel: String, timeMs: Int64, quanta: Int64) throws(TelemetryStoreError) {
        let key = Key(channel: channel, minuteMs: BatchCells.minuteStart(of: timeMs))
        guard var aggregate = aggregates[key] else {
            aggregates[key] = MinuteAggregate(minQuanta: quanta, maxQuanta: quanta, sumQuanta: quanta, count: 1)
            return
        }
        try aggregate.merge(MinuteAggregate(minQuanta: quanta, maxQuanta: quanta, sumQuanta: quanta, count: 1), channel: channel)
        aggregates[key] = aggregate
    }
}

extension MinuteAggregate {
    /// Folds `other` in; the sum must stay exact.
    package mutating func merge(_ other: MinuteAggregate, channel: String) throws(TelemetryStoreError) {
        let (sum, overflow) = sumQuanta.addingReportingOverflow(other.sumQuanta)
        guard !overflow else {
            throw .aggregateOverflow("the minute sum of channel \(channel) leaves the 64-bit range of quanta")
        }
        minQuanta = Swift.min(minQuanta, other.minQuanta)
        maxQuanta = Swift.max(maxQuanta, other.maxQuanta)
        sumQuanta = sum
        count += other.count
    }
}
