/// The channel table of a version-2 body: each name as a one-byte code from a fixed codebook, or as text.
///
/// Entry = varint code. 0: a literal name follows (varint length, bytes). Otherwise code − 1 = 2 × entry + mean,
/// where `mean` = 1 adds `TransformerChannels.minuteMeanPrefix`; entries below `fixed.count` are fixed names, the
/// rest numbered families followed by a varint number 1…999 (`charger_<n>_kw`). The codebook is part of the wire
/// format: it never changes within a format version; a name outside it travels as text.
enum ChannelCodebook {
    static let fixed: [String] = TransformerChannels.phaseRow + [
        TransformerChannels.gridHz, TransformerChannels.ambientC, TransformerChannels.topOilC,
        TransformerChannels.hotSpotC, TransformerChannels.neutralA, TransformerChannels.vufPct,
        TransformerChannels.evTotalKW, TransformerChannels.totalKW, TransformerChannels.totalKvar,
    ]
    static let families: [TransformerChannels.ChargerQuantity] = [.kilowatts, .kilovars, .stateOfChargePercent]
    static let maxNumber = 999

    private static let fixedIndex = Dictionary(uniqueKeysWithValues: fixed.enumerated().map { ($1, $0) })

    static func write(_ name: String, into writer: inout ByteWriter) {
        var base = Substring(name)
        var mean: UInt64 = 0
        if base.hasPrefix(TransformerChannels.minuteMeanPrefix) {
            base = base.dropFirst(TransformerChannels.minuteMeanPrefix.count)
            mean = 1
        }
        if let entry = fixedIndex[String(base)] {
            writer.varint(1 + 2 * UInt64(entry) + mean)
            return
        }
        if let (family, number) = familyMember(base) {
            writer.varint(1 + 2 * UInt64(fixed.count + family) + mean)
            writer.varint(UInt64(number))
            return
        }
        let bytes = Array(name.utf8)
        writer.varint(0)
        writer.varint(UInt64(bytes.count))
        writer.bytes(bytes)
    }

    static func read(from reader: inout ByteReader, channel index: Int) throws(TelemetryFrameError) -> String {
        let codeLimit = 2 * (fixed.count + families.count)
        let code = try reader.count("name code of channel \(index)", limit: codeLimit)
        guard code > 0 else {
            let length = try reader.count("name length of channel \(index)", limit: ChannelSpec.maxNameBytes)
            return String(decoding: try reader.bytes(length, "name of channel \(index)"), as: UTF8.self)
        }
        let entry = (code - 1) / 2
        let prefix = (code - 1) % 2 == 1 ? TransformerChannels.minuteMeanPrefix : ""
        guard entry >= fixed.count else { return prefix + fixed[entry] }
        let number = try reader.count("charger number of channel \(index)", limit: maxNumber)
        guard number >= 1 else { throw .badField("channel \(index) names charger 0 (numbers start at 1)") }
        return prefix + TransformerChannels.charger(number, families[entry - fixed.count])
    }

    /// (family, number) when `name` is exactly `charger_<n>_<unit>` with n written as `charger` writes it.
    private static func familyMember(_ name: Substring) -> (Int, Int)? {
        let prefix = "charger_"
        guard name.hasPrefix(prefix) else { return nil }
        let rest = name.dropFirst(prefix.count)
        guard let underscore = rest.firstIndex(of: "_"), let number = Int(rest[..<underscore]),
              (1...maxNumber).contains(number) else { return nil }
        for (family, quantity) in families.enumerated()
        where TransformerChannels.charger(number, quantity) == String(name) {
            return (family, number)
        }
        return nil
    }
}
