/// Transformer temperatures from vendor model 64900 (layout in `SunSpecModels.transformerTemperatures`).
/// A temperature whose sensor-fault bit is set, or that reads 0x8000, is nil: the thermal model then falls back to
/// its computed top-oil (IEC 60076-7) rather than trusting a faulted probe.
public struct TransformerTemperatures: Sendable, Hashable {
    public var topOilC: Double?
    public var ambientC: Double?
    public var hotSpotC: Double?
    /// SnsSt as read (bit 0 top-oil, bit 1 ambient, bit 2 hot-spot fault, bit 3 stale); nil if not implemented.
    public var sensorStatus: UInt16?

    /// SnsSt bits.
    public static let topOilFault: UInt16 = 1 << 0
    public static let ambientFault: UInt16 = 1 << 1
    public static let hotSpotFault: UInt16 = 1 << 2
    public static let stale: UInt16 = 1 << 3

    /// True when the device flags its values as stale.
    public var isStale: Bool { (sensorStatus ?? 0) & Self.stale != 0 }

    /// Decodes a 64900 block; nil for any other model.
    public init?(_ model: SunSpecModelValues) {
        guard model.definition.id == 64900 else { return nil }
        let status = model.integer("SnsSt").map { UInt16($0) }
        func reading(_ name: String, fault: UInt16) -> Double? {
            (status ?? 0) & fault != 0 ? nil : model.value(name)
        }
        sensorStatus = status
        topOilC = reading("TopOilTmp", fault: Self.topOilFault)
        ambientC = reading("AmbTmp", fault: Self.ambientFault)
        hotSpotC = reading("HotSpotTmp", fault: Self.hotSpotFault)
    }
}
