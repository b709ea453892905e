extension TripSettings {
    /// The adjustable range of one function's pickup and clearing time.
    struct AllowedRange {
        var pickup: ClosedRange<Double>
        var clearingTimeS: ClosedRange<Double>
    }

    /// IEEE 1547-2018 ranges of allowable settings for `category`.
    /// Voltage: Tables 11–13 (OV2 fixed at 1.20 pu / 0.16 s in every category; Category III allows longer UV
    /// clearing times). Frequency: Table 19, the same for all categories, written for 60 Hz and scaled by nominalHz/60.
    static func allowedRange(_ function: TripFunction, category: AbnormalCategory, nominalHz: Double) -> AllowedRange {
        func hz(_ low: Double, _ high: Double) -> ClosedRange<Double> { scaledHz(low, nominalHz)...scaledHz(high, nominalHz) }
        switch function {
        case .ov2: return AllowedRange(pickup: 1.20...1.20, clearingTimeS: 0.16...0.16)
        case .ov1: return AllowedRange(pickup: 1.10...1.20, clearingTimeS: 1...13)
        case .uv1: return AllowedRange(pickup: 0...0.88, clearingTimeS: category == .iii ? 21...50 : 2...21)
        case .uv2: return AllowedRange(pickup: 0...0.50, clearingTimeS: category == .iii ? 2...21 : 0.16...2)
        case .of2: return AllowedRange(pickup: hz(61.8, 66), clearingTimeS: 0.16...1000)
        case .of1: return AllowedRange(pickup: hz(61.0, 66), clearingTimeS: 180...1000)
        case .uf1: return AllowedRange(pickup: hz(50, 59), clearingTimeS: 180...1000)
        case .uf2: return AllowedRange(pickup: hz(50, 57), clearingTimeS: 0.16...1000)
        }
    }

    /// The standard's table for `function`'s settings, for error messages.
    func source(_ function: TripFunction) -> String {
        let table = function.watchesVoltage ? category.voltageTripTable : "Table 19"
        let scaled = !function.watchesVoltage && nominalHz != 60 ? ", scaled to \(ProtectionFormat.number(nominalHz)) Hz" : ""
        return "IEEE 1547-2018 \(table), \(category)\(scaled)"
    }

    /// Throws `ProtectionSettingsError` naming the first setting that would trip at nominal voltage and frequency,
    /// that lies outside the category's adjustable range, or two settings out of order
    /// (UV2 ≤ UV1, OV1 ≤ OV2, UF2 ≤ UF1 < nominal < OF1 ≤ OF2). Fields are named as in the policy: `trip.uv1.pickup`.
    public func validate() throws {
        guard nominalHz == 50 || nominalHz == 60 else {
            throw ProtectionSettingsError.unsupportedNominal(field: "transformer.nominal_hz", hz: nominalHz)
        }
        // First the mistake that locks a site out: a setting that picks up at nominal (e.g. a 60 Hz block on 50 Hz).
        for function in TripFunction.allCases {
            let pickup = self[function].pickup
            let nominal = function.watchesVoltage ? 1.0 : nominalHz
            let picksUp = function.picksUpAbove ? nominal > pickup : nominal < pickup
            guard picksUp else { continue }
            throw ProtectionSettingsError.tripsAtNominal(
                field: Self.field(function, "pickup"), value: pickup, nominal: nominal, unit: function.pickupUnit,
                function: function)
        }
        for function in TripFunction.allCases {
            let setting = self[function]
            let range = Self.allowedRange(function, category: category, nominalHz: nominalHz)
            try Self.check(Self.field(function, "pickup"), setting.pickup, range.pickup, function.pickupUnit, source(function))
            try Self.check(Self.field(function, "clearing_time_s"), setting.clearingTimeS, range.clearingTimeS, "s", source(function))
        }
        try Self.order(.uv2, uv2.pickup, "≤", "trip.uv1.pickup", uv1.pickup, uv2.pickup <= uv1.pickup)
        try Self.order(.ov1, ov1.pickup, "≤", "trip.ov2.pickup", ov2.pickup, ov1.pickup <= ov2.pickup)
        try Self.order(.uf2, uf2.pickup, "≤", "trip.uf1.pickup", uf1.pickup, uf2.pickup <= uf1.pickup)
        try Self.order(.of1, of1.pickup, "≤", "trip.of2.pickup", of2.pickup, of1.pickup <= of2.pickup)
    }

    /// The policy path of one function's setting: "trip.uv1.clearing_time_s".
    static func field(_ function: TripFunction, _ key: String) -> String {
        "trip.\(function.rawValue.lowercased()).\(key)"
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
        _ function: TripFunction, _ value: Double, _ relation: String, _ otherField: String, _ other: Double, _ holds: Bool
    ) throws {
        guard holds else {
            throw ProtectionSettingsError.misordered(
                field: field(function, "pickup"),
                "\(ProtectionFormat.number(value)) must be \(relation) \(otherField) \(ProtectionFormat.number(other))"
            )
        }
    }
}
