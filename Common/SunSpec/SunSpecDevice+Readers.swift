extension SunSpecDevice {
    /// Model 1, or nil when the device lacks it.
    public func readCommon(reader: inout some RegisterReader) throws -> SunSpecCommon? {
        try read(1, reader: &reader).map(SunSpecCommon.init)
    }

    /// The wye meter: model 203 if present, else 213; nil when the device has neither.
    public func readMeter(reader: inout some RegisterReader) throws -> MeterValues? {
        if let values = try read(203, reader: &reader) ?? read(213, reader: &reader) {
            return MeterValues(values)
        }
        return nil
    }

    /// The DER view: 701 is required (throws when missing); 702 and 713 fill `ratings` and `storage` when present.
    public func readDER(reader: inout some RegisterReader) throws -> DERValues {
        guard let measurement = try read(701, reader: &reader),
              let values = DERValues(measurement: measurement, capacity: try read(702, reader: &reader),
                                     storage: try read(713, reader: &reader))
        else { throw SunSpecError.modelMissing(701) }
        return values
    }

    /// Transformer temperatures from vendor model 64900; nil when the device lacks it.
    public func readTemperatures(reader: inout some RegisterReader) throws -> TransformerTemperatures? {
        try read(64900, reader: &reader).flatMap(TransformerTemperatures.init)
    }
}
