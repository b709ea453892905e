import SunSpec

/// An in-memory register map at any address, with faults to inject. No I/O.
struct FakeRegisters: RegisterReader, RegisterWriter {
    var base: Int
    var words: [UInt16]
    /// Reads starting at or after this address return one register fewer than asked.
    var truncateFrom: Int?
    /// Reads touching this address throw.
    var failingAddress: Int?
    private(set) var reads: [(address: Int, count: Int)] = []

    init(base: Int, words: [UInt16], truncateFrom: Int? = nil, failingAddress: Int? = nil) {
        self.base = base
        self.words = words
        self.truncateFrom = truncateFrom
        self.failingAddress = failingAddress
    }

    struct Unreachable: Error {}

    mutating func readHoldingRegisters(address: Int, count: Int) throws -> [UInt16] {
        reads.append((address, count))
        if let failingAddress, (address..<address + count).contains(failingAddress) { throw Unreachable() }
        let start = address - base
        guard start >= 0, start < words.count else { return [] }
        var answer = Array(words[start..<min(start + count, words.count)])
        if let truncateFrom, address >= truncateFrom, !answer.isEmpty { answer.removeLast() }
        return answer
    }

    mutating func writeRegisters(address: Int, values: [UInt16]) throws {
        words.replaceSubrange(address - base..<address - base + values.count, with: values)
    }
}

enum Images {
    static let identity = SunSpecCommon(manufacturer: "V2G Sim", model: "Bidi-11", options: "opt", version: "1.2.3",
                                        serialNumber: "SN-0042", deviceAddress: 1)

    /// A meter at `base` with model 203 and realistic SFs and values.
    static func meter203(base: Int = 40000) throws -> SunSpecImageBuilder {
        var image = try SunSpecImageBuilder(base: base, common: identity, models: [SunSpecModels.meterWye])
        for (sf, value) in [("A_SF", -2.0), ("V_SF", -1.0), ("Hz_SF", -2.0), ("W_SF", 1.0), ("VAR_SF", 1.0), ("TotWh_SF", 0.0)] {
            try image.set(sf, value)
        }
        for (name, value) in [("PhVphA", 230.1), ("PhVphB", 229.4), ("PhVphC", 231.0), ("AphA", 12.34), ("AphB", 0.5),
                              ("AphC", 7.0), ("Hz", 49.98), ("WphA", 2830.0), ("WphB", -110.0), ("WphC", 1610.0),
                              ("W", 4330.0), ("VARphA", 300.0), ("VAR", 300.0), ("TotWhImp", 123_456.0)] {
            try image.set(name, value)
        }
        return image
    }

    /// A bidirectional charger as DER: 701, 702, 704, 713, plus the transformer's 64900 block.
    static func charger(base: Int = 40000) throws -> SunSpecImageBuilder {
        var image = try SunSpecImageBuilder(base: base, common: identity, models: [
            SunSpecModels.derMeasurement, SunSpecModels.derCapacity, SunSpecModels.derControls,
            SunSpecModels.derStorage, SunSpecModels.transformerTemperatures,
        ])
        for (sf, value, model) in [("W_SF", 0.0, 701 as UInt16), ("Var_SF", 0, 701), ("V_SF", -1, 701), ("A_SF", -2, 701),
                                   ("Hz_SF", -3, 701), ("PF_SF", -3, 701), ("W_SF", 1, 702), ("VA_SF", 1, 702),
                                   ("Var_SF", 1, 702), ("V_SF", 0, 702), ("A_SF", 0, 702), ("WSet_SF", 0, 704),
                                   ("VarSet_SF", 0, 704), ("WH_SF", 1, 713), ("Pct_SF", -1, 713), ("Tmp_SF", -1, 64900)] {
            try image.set(sf, value, in: model)
        }
        for (name, value, model) in [("W", -7400.0, 701 as UInt16), ("Var", 500, 701), ("PF", -0.998, 701), ("A", 32.17, 701),
                                     ("LNV", 230.4, 701), ("Hz", 50.012, 701), ("ACType", 0, 701), ("St", 1, 701),
                                     ("InvSt", 3, 701), ("ConnSt", 1, 701), ("WL1", -7400, 701), ("VL1", 230.4, 701),
                                     ("WMaxRtg", 11000, 702), ("VAMaxRtg", 11000, 702), ("VarMaxInjRtg", 4840, 702),
                                     ("VarMaxAbsRtg", 4840, 702), ("WChaRteMaxRtg", 11000, 702), ("WDisChaRteMaxRtg", 7400, 702),
                                     ("VNomRtg", 230, 702), ("WHRtg", 60000, 713), ("WHAvail", 33000, 713),
                                     ("SoC", 55.5, 713), ("SoH", 97, 713), ("Sta", 0, 713),
                                     ("TopOilTmp", 61.9, 64900), ("AmbTmp", 25.6, 64900), ("HotSpotTmp", 83.8, 64900),
                                     ("SnsSt", 0, 64900)] {
            try image.set(name, value, in: model)
        }
        return image
    }
}
