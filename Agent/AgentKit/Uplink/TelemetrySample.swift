public import GridCore
public import Telemetry

/// The agent's fixed channel list (names end in their unit: docs/telemetry.md) and one cycle's values on it.
public struct AgentChannels: Sendable, Hashable {
    /// Channel specs in column order.
    public let specs: [ChannelSpec]
    /// Charger ids in the order their channels appear.
    public let chargerIDs: [String]

    /// `TransformerChannels.agentRow`: per-phase V/A/kW/kvar, Hz, ambient/top-oil/hot-spot °C, neutral A, VUF %,
    /// EV total kW, then per charger kW/kvar/SoC (n from 1 in config order: charger ids are free text).
    public init(chargerIDs: [String]) {
        // Every vocabulary name is lowercase with a known suffix, so ChannelSpec cannot refuse it.
        specs = TransformerChannels.agentRow(chargerCount: chargerIDs.count).map { try! ChannelSpec(name: $0) }
        self.chargerIDs = chargerIDs
    }

    /// The names, comma-joined: how the queue recognises a changed channel list across restarts.
    var signature: String { specs.map(\.name).joined(separator: ",") }

    /// One cycle's row, quantized with each channel's `Quantum`; a missing or non-finite value is nil.
    public func sample(
        timeMs: Int64, inputs: CycleInputs, figures: CycleFigures?
    ) -> TelemetrySample {
        var values: [Double?] = []
        values.reserveCapacity(specs.count)
        let meter = inputs.meter
        for quantity in 0..<4 {
            for phase in Phase.allCases {
                guard let meter else { values.append(nil); continue }
                let perPhase = [meter.voltageV, meter.currentA, meter.activePowerKW, meter.reactivePowerKvar][quantity]
                values.append(perPhase[phase])
            }
        }
        values += [
            meter?.frequencyHz, inputs.ambientC, inputs.topOilC, figures?.hotSpotC,
            figures?.neutralCurrentBeforeA, figures?.unbalanceBeforePercent, figures?.evTotalKW,
        ]
        let byID = Dictionary(inputs.chargers.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        for id in chargerIDs {
            let charger = byID[id].flatMap { $0.online ? $0 : nil }
            values += [charger?.measuredKW, charger?.measuredKvar, charger?.ev?.socPercent]
        }
        return TelemetrySample(timeMs: timeMs, quanta: quantize(values))
    }

    /// `values` (one per channel, in order) in quanta.
    public func quantize(_ values: [Double?]) -> [Int64?] {
        precondition(values.count == specs.count, "\(values.count) values for \(specs.count) channels")
        return zip(specs, values).map { spec, value in value.flatMap { spec.quantum.quantize($0) } }
    }
}

/// One row of the queue: a time and one cell per channel, in quanta (nil: no sample).
public struct TelemetrySample: Sendable, Hashable {
    /// Milliseconds since the Unix epoch.
    public var timeMs: Int64
    public var quanta: [Int64?]

    public init(timeMs: Int64, quanta: [Int64?]) {
        self.timeMs = timeMs
        self.quanta = quanta
    }
}

/// Cells as 8 bytes little-endian each, `Int64.min` for a missing sample (quanta never reach it: |q| < 2^53).
enum SampleCells {
    static let missing = Int64.min

    static func encode(_ quanta: [Int64?]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(quanta.count * 8)
        for cell in quanta {
            let bits = UInt64(bitPattern: cell ?? missing)
            for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: bits >> UInt64(shift))) }
        }
        return bytes
    }

    static func decode(_ bytes: [UInt8]) -> [Int64?] {
        stride(from: 0, to: bytes.count - bytes.count % 8, by: 8).map { start in
            var bits: UInt64 = 0
            for offset in 0..<8 { bits |= UInt64(bytes[start + offset]) << UInt64(offset * 8) }
            let value = Int64(bitPattern: bits)
            return value == missing ? nil : value
        }
    }
}
