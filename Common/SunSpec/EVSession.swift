/// The EV behind a charger, from vendor model 64901. SunSpec's DER models describe the charger as a
/// generator/storage device and have no points for the driver's need (in the field these come from
/// ISO 15118 or OCPP through the charger's controller); this block carries them.
///
/// | offset | point     | type   | units | meaning                                                   |
/// |--------|-----------|--------|-------|-----------------------------------------------------------|
/// | 0      | EvSt      | enum16 |       | 0 no EV, 1 EV plugged in                                  |
/// | 1      | ReqW      | uint16 | W     | power the driver or EV asks for, × 10^W_SF                 |
/// | 2      | W_SF      | sunssf |       |                                                           |
/// | 3–4    | DeptTms   | uint32 | s     | departure, Unix seconds; 0xFFFFFFFF = unknown             |
/// | 5      | EnNeed    | uint16 | kWh   | energy still wanted by departure, × 10^En_SF; 0xFFFF = unknown |
/// | 6      | DisBud    | uint16 | kWh   | shallow-cycle discharge budget left today; 0xFFFF = unlimited |
/// | 7      | En_SF     | sunssf |       |                                                           |
/// | 8      | BatTmp    | int16  | °C    | battery temperature, × 10^Tmp_SF                          |
/// | 9      | Tmp_SF    | sunssf |       |                                                           |
/// | 10     | V2GAgr    | enum16 |       | 1 the driver agreed to discharge (V2G), 0 not              |
/// | 11     | Pad       | pad    |       | keeps L even                                              |
public struct EVSession: Sendable, Hashable {
    public var plugged: Bool
    public var requestedKW: Double?
    public var departureEpochS: Double?
    public var energyNeededKWh: Double?
    public var dischargeBudgetKWh: Double?
    public var batteryTempC: Double?
    public var dischargeAgreed: Bool
    /// The raw V2GAgr value when it is implemented but neither 0 nor 1 (garbage): discharge is refused and the
    /// agent raises an alarm. "Not implemented" is no agreement, quietly.
    public var invalidDischargeAgreement: Int64?

    public static let modelID: UInt16 = 64901

    /// Decodes a 64901 block; nil for any other model.
    public init?(_ model: SunSpecModelValues) {
        guard model.definition.id == Self.modelID else { return nil }
        plugged = model.integer("EvSt") == 1
        requestedKW = model.value("ReqW").map { $0 / 1000 }
        departureEpochS = model.integer("DeptTms").map(Double.init)
        energyNeededKWh = model.value("EnNeed")
        dischargeBudgetKWh = model.value("DisBud")
        batteryTempC = model.value("BatTmp")
        let agreement = model.integer("V2GAgr")
        dischargeAgreed = agreement == 1
        invalidDischargeAgreement = agreement.flatMap { $0 == 0 || $0 == 1 ? nil : $0 }
    }
}

extension SunSpecModels {
    public static let evSession: SunSpecModelDefinition = {
        var layout = ModelLayout()
        layout.add("EvSt", .enum16)
        layout.add("ReqW", .uint16, "W_SF")
        layout.add("W_SF", .sunssf)
        layout.add("DeptTms", .uint32)
        layout.add("EnNeed", .uint16, "En_SF")
        layout.add("DisBud", .uint16, "En_SF")
        layout.add("En_SF", .sunssf)
        layout.add("BatTmp", .int16, "Tmp_SF")
        layout.add("Tmp_SF", .sunssf)
        layout.add("V2GAgr", .enum16)
        layout.add("Pad", .pad)
        return layout.definition(id: EVSession.modelID, name: "EVSession")
    }()
}

extension SunSpecDevice {
    /// The EV session block, or nil when the charger does not publish one.
    public func readEVSession(reader: inout some RegisterReader) throws -> EVSession? {
        try read(EVSession.modelID, reader: &reader).flatMap(EVSession.init)
    }
}
