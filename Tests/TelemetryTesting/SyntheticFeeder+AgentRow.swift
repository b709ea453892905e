public import Telemetry

extension SyntheticFeeder {
    /// The agent's channels for the feeder's four chargers (`TransformerChannels.agentRow`: 31 channels).
    public static let agentChannels: [ChannelSpec] =
        TransformerChannels.agentRow(chargerCount: 4).map { try! ChannelSpec(name: $0) }

    /// The next second as the agent would record it, in `agentChannels` order: the feeder's row plus what the agent
    /// derives (neutral current and VUF from the phases, EV total from the chargers, charger kvar 0 at unity power
    /// factor); the meter's own totals are not part of the agent's row.
    public mutating func nextAgentRow() -> [Double?] {
        let row = nextRow()
        let value = Dictionary(uniqueKeysWithValues: zip(Self.channelNames, row))
        typealias Names = TransformerChannels
        func phases(_ quantity: Names.PhaseQuantity) -> [Double]? {
            let values = (0..<3).compactMap { value[Names.phase($0, quantity)] ?? nil }
            return values.count == 3 ? values : nil
        }
        var out = Names.phaseRow.map { value[$0] ?? nil }
        out += [value[Names.gridHz] ?? nil, value[Names.ambientC] ?? nil, value[Names.topOilC] ?? nil,
                value[Names.hotSpotC] ?? nil]
        // |Ia + Ib∠-120° + Ic∠120°| with currents in phase with their voltages.
        out.append(phases(.amperes).map { i in
            (i[0] * i[0] + i[1] * i[1] + i[2] * i[2] - i[0] * i[1] - i[1] * i[2] - i[2] * i[0]).squareRoot()
        })
        // NEMA MG 1 approximation: the largest deviation from the mean, over the mean.
        out.append(phases(.volts).map { v in
            let mean = (v[0] + v[1] + v[2]) / 3
            return max(abs(v[0] - mean), abs(v[1] - mean), abs(v[2] - mean)) / mean * 100
        })
        let chargerKW = (1...4).map { value[Names.charger($0, .kilowatts)] ?? nil }
        out.append(chargerKW.reduce(0) { $0 + ($1 ?? 0) })
        for charger in 1...4 {
            out += [chargerKW[charger - 1], 0, value[Names.charger(charger, .stateOfChargePercent)] ?? nil]
        }
        return out
    }

    /// `count` batches of the agent's row (`nextAgentRow`), quantized, with sequences from `firstSequence`.
    public mutating func agentBatches(
        count: Int, seconds: Int = 60, agentID: String = "tx-017", startTimeMs: Int64 = 1_763_750_000_000,
        firstSequence: UInt64 = 1
    ) -> [TelemetryBatch] {
        Self.batches(count: count, seconds: seconds, channels: Self.agentChannels, agentID: agentID,
                     startTimeMs: startTimeMs, firstSequence: firstSequence) { nextAgentRow() }
    }
}
