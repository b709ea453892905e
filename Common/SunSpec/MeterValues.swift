/// One phase of a wye meter; nil where the meter does not implement the point.
public struct MeterPhaseValues: Sendable, Hashable {
    /// Line-to-neutral voltage.
    public var voltageV: Double?
    public var currentA: Double?
    /// Active power; SunSpec meters count + as power into the metered load (import).
    public var activePowerKW: Double?
    public var reactivePowerKvar: Double?

    public init(voltageV: Double? = nil, currentA: Double? = nil, activePowerKW: Double? = nil, reactivePowerKvar: Double? = nil) {
        self.voltageV = voltageV
        self.currentA = currentA
        self.activePowerKW = activePowerKW
        self.reactivePowerKvar = reactivePowerKvar
    }
}

/// A wye meter's reading (model 203 or 213), in engineering units.
public struct MeterValues: Sendable, Hashable {
    /// 203 or 213.
    public var modelID: UInt16
    public var phaseA: MeterPhaseValues
    public var phaseB: MeterPhaseValues
    public var phaseC: MeterPhaseValues
    public var frequencyHz: Double?
    public var totalActivePowerKW: Double?
    public var totalReactivePowerKvar: Double?
    /// TotWhImp: energy imported, kWh.
    public var importedEnergyKWh: Double?
    /// TotWhExp: energy exported, kWh.
    public var exportedEnergyKWh: Double?

    /// Decodes a 203 or 213 block; nil for any other model.
    public init?(_ model: SunSpecModelValues) {
        guard model.definition.id == 203 || model.definition.id == 213 else { return nil }
        func kilo(_ name: String) -> Double? { model.value(name).map { $0 / 1000 } }
        func phase(_ p: String) -> MeterPhaseValues {
            MeterPhaseValues(voltageV: model.value("PhVph\(p)"), currentA: model.value("Aph\(p)"),
                             activePowerKW: kilo("Wph\(p)"), reactivePowerKvar: kilo("VARph\(p)"))
        }
        modelID = model.definition.id
        phaseA = phase("A")
        phaseB = phase("B")
        phaseC = phase("C")
        frequencyHz = model.value("Hz")
        totalActivePowerKW = kilo("W")
        totalReactivePowerKvar = kilo("VAR")
        importedEnergyKWh = kilo("TotWhImp")
        exportedEnergyKWh = kilo("TotWhExp")
    }
}

/// Model 1: who the device says it is.
public struct SunSpecCommon: Sendable, Hashable {
    public var manufacturer: String?
    public var model: String?
    public var options: String?
    public var version: String?
    public var serialNumber: String?
    /// DA: the Modbus device address.
    public var deviceAddress: UInt16?

    public init(manufacturer: String? = nil, model: String? = nil, options: String? = nil, version: String? = nil,
                serialNumber: String? = nil, deviceAddress: UInt16? = nil) {
        self.manufacturer = manufacturer
        self.model = model
        self.options = options
        self.version = version
        self.serialNumber = serialNumber
        self.deviceAddress = deviceAddress
    }

    /// Decodes a model 1 block.
    public init(_ values: SunSpecModelValues) {
        self.init(manufacturer: values.string("Mn"), model: values.string("Md"), options: values.string("Opt"),
                  version: values.string("Vr"), serialNumber: values.string("SN"),
                  deviceAddress: values.integer("DA").map { UInt16($0) })
    }
}
