extension TripSettings {
    /// The adjustable range of one function's pickup and clearing time.
    struct AllowedRange {
        var pickup: ClosedRange<Double>
        var clearingTimeS: ClosedRange<Double>
    }

    /// IEEE 1547-2018 Category II ranges of allowable settings.
    /// Voltage: Table 11 (OV2 fixed at 1.20 pu / 0.16 s). Frequency: Table 19, the same for all categories,
    /// written for 60 Hz and scaled by nominalHz/60 here (see `categoryII(nominalHz:)`).
    static func allowedRange(_ function: TripFunction, nominalHz: Double) -> AllowedRange {
        func hz(_ low: Double, _ high: Double) -> ClosedRange<Double> { scaledHz(low, nominalHz)...scaledHz(high, nominalHz) }
        switch function {
        case .ov2: return AllowedRange(pickup: 1.20...1.20, clearingTimeS: 0.16...0.16)
        case .ov1: return AllowedRange(pickup: 1.10...1.20, clearingTimeS: 1...13)
        case .uv1: return AllowedRange(pickup: 0...0.88, clearingTimeS: 2...21)
        case .uv2: return AllowedRange(pickup: 0...0.50, clearingTimeS: 0.16...2)
        case .of2: return AllowedRange(pickup: hz(61.8, 66), clearingTimeS: 0.16...1000)
        case .of1: return AllowedRange(pickup: hz(61.0, 66), clearingTimeS: 180...1000)
        case .uf1: return AllowedRange(pickup: hz(50, 59), clearingTimeS: 180...1000)
        case .uf2: return AllowedRange(pickup: hz(50, 57), clearingTimeS: 0.16...1000)
        }
    }

    /// Throws `ProtectionSettingsError` naming the first setting outside IEEE 1547-2018 Category II
    /// (Table 11, Table 19), or two settings out of order (UV2 ≤ UV1, OV1 ≤ OV2, UF2 ≤ UF1 < nominal < OF1 ≤ OF2).
    public func validate() throws {
        guard nominalHz == 50 || nominalHz == 60 else {
            throw ProtectionSettingsError.unsupportedNominal(field: "trip.nominalHz", hz: nominalHz)
        }
        for function in TripFunction.allCases {
            let setting = self[function]
            let range = Self.allowedRange(function, nominalHz: nominalHz)
            let table = function.watchesVoltage ? "IEEE 1547-2018 Table 11, Category II" : "IEEE 1547-2018 Table 19"
            try Self.check("\(function).pickup", setting.pickup, range.pickup, function.pickupUnit, table)
            try Self.check("\(function).clearingTimeS", setting.clearingTimeS, range.clearingTimeS, "s", table)
        }
        try Self.order("UV2.pickup", uv2.pickup, "≤", "UV1.pickup", uv1.pickup, uv2.pickup <= uv1.pickup)
        try Self.order("OV1.pickup", ov1.pickup, "≤", "OV2.pickup", ov2.pickup, ov1.pickup <= ov2.pickup)
        try Self.order("UF2.pickup", uf2.pickup, "≤", "UF1.pickup", uf1.pickup, uf2.pickup <= uf1.pickup)
        try Self.order("UF1.pickup", uf1.pickup, "<", "nominalHz", nominalHz, uf1.pickup < nominalHz)
        try Self.order("OF1.pickup", of1.pickup, ">", "nominalHz", nominalHz, of1.pickup > nominalHz)
        try Self.order("OF1.pickup", of1.pickup, "≤", "OF2.pickup", of2.pickup, of1.pickup <= of2.pickup)
    }

    private static func check(
        _ field: String, _ value: Double, _ range: ClosedRange<Double>, _ unit: String, _ source: String
    ) throws {
        guard value.isFinite, range.contains(value) else {
            if range.lowerBound == range.upperBound {
                throw ProtectionSettingsError.fixedSetting(field: field, value: value, fixed: range.lowerBound, unit: unit, source: source)
            }
            throw ProtectionSettingsError.outOfRange(field: field, value: value, range: range, unit: unit, source: source)
        }
    }

    private static func order(
        _ field: String, _ value: Double, _ relation: String, _ otherField: String, _ other: Double, _ holds: Bool
    ) throws {
        guard holds else {
            throw ProtectionSettingsError.misordered(
                field: field,
                "\(ProtectionFormat.number(value)) must be \(relation) \(otherField) \(ProtectionFormat.number(other))"
            )
        }
    }
}
