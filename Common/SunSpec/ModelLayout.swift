/// Accumulates a model's points in register order; one statement per point keeps the type checker fast.
struct ModelLayout {
    private(set) var entries: [(name: String, type: SunSpecPointType, scaleFactor: String?)] = []

    mutating func add(_ name: String, _ type: SunSpecPointType, _ scaleFactor: String? = nil) {
        entries.append((name, type, scaleFactor))
    }

    /// Several points of one type and scale factor, in order.
    mutating func add(_ names: [String], _ type: SunSpecPointType, _ scaleFactor: String? = nil) {
        for name in names { add(name, type, scaleFactor) }
    }

    func definition(id: UInt16, name: String) -> SunSpecModelDefinition {
        SunSpecModelDefinition(id: id, name: name, layout: entries)
    }
}

/// The models this package knows. Layouts follow the SunSpec information models as shipped in pysunspec2 1.3.7
/// (`sunspec2/models/json/model_<id>.json`); the tests pin each L and key offsets to those files.
public enum SunSpecModels {
    /// Every known definition, by id.
    public static let all: [UInt16: SunSpecModelDefinition] = {
        let list = [common, meterWye, meterWyeFloat, derMeasurement, derCapacity, derControls, derStorage, transformerTemperatures, evSession]
        return Dictionary(uniqueKeysWithValues: list.map { ($0.id, $0) })
    }()

    /// The definition for a model id, if this package knows it.
    public static func definition(id: UInt16) -> SunSpecModelDefinition? { all[id] }

    /// Model 1, Common: identity of the device. L = 66.
    public static let common: SunSpecModelDefinition = {
        var layout = ModelLayout()
        layout.add("Mn", .string(words: 16))
        layout.add("Md", .string(words: 16))
        layout.add("Opt", .string(words: 8))
        layout.add("Vr", .string(words: 8))
        layout.add("SN", .string(words: 16))
        layout.add("DA", .uint16)
        layout.add("Pad", .pad)
        return layout.definition(id: 1, name: "common")
    }()

    /// Model 713, DER storage capacity. L = 7.
    public static let derStorage: SunSpecModelDefinition = {
        var layout = ModelLayout()
        layout.add("WHRtg", .uint16, "WH_SF")
        layout.add("WHAvail", .uint16, "WH_SF")
        layout.add("SoC", .uint16, "Pct_SF")
        layout.add("SoH", .uint16, "Pct_SF")
        layout.add("Sta", .enum16)
        layout.add("WH_SF", .sunssf)
        layout.add("Pct_SF", .sunssf)
        return layout.definition(id: 713, name: "DERStorageCapacity")
    }()

    /// Vendor model 64900, transformer temperatures (no SunSpec model exists; see TransformerTemperatures.swift).
    /// L = 6:
    ///
    /// | offset | point      | type       | units | meaning                                              |
    /// |--------|------------|------------|-------|------------------------------------------------------|
    /// | 0      | TopOilTmp  | int16      | °C    | top-oil temperature, × 10^Tmp_SF                     |
    /// | 1      | AmbTmp     | int16      | °C    | ambient air temperature at the transformer           |
    /// | 2      | HotSpotTmp | int16      | °C    | winding hot-spot (fibre-optic probe), if fitted      |
    /// | 3      | Tmp_SF     | sunssf     |       | scale factor of the three temperatures               |
    /// | 4      | SnsSt      | bitfield16 |       | bit 0 top-oil, bit 1 ambient, bit 2 hot-spot sensor fault; bit 3 values stale |
    /// | 5      | Pad        | pad        |       | keeps L even, as SunSpec models are                  |
    ///
    /// A missing sensor reads 0x8000 (int16 not implemented); a faulted one sets its SnsSt bit.
    public static let transformerTemperatures: SunSpecModelDefinition = {
        var layout = ModelLayout()
        layout.add("TopOilTmp", .int16, "Tmp_SF")
        layout.add("AmbTmp", .int16, "Tmp_SF")
        layout.add("HotSpotTmp", .int16, "Tmp_SF")
        layout.add("Tmp_SF", .sunssf)
        layout.add("SnsSt", .bitfield16)
        layout.add("Pad", .pad)
        return layout.definition(id: 64900, name: "TransformerTemperatures")
    }()
}
