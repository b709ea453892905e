extension SunSpecModels {
    /// Vendor model 64900, transformer temperatures: no SunSpec model exists, so this block sits in the vendor range
    /// (64000–65535). Tests/peers/sunspec/models/model_64900.json describes the same block to pysunspec2.
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
