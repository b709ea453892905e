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
}
