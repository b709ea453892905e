/// One trip function of IEEE 1547-2018: over/under voltage (OV/UV) or frequency (OF/UF), stage 1 or 2.
public enum TripFunction: String, Sendable, Hashable, Codable, CaseIterable, CodingKeyRepresentable, CustomStringConvertible {
    case ov2 = "OV2"
    case ov1 = "OV1"
    case uv1 = "UV1"
    case uv2 = "UV2"
    case of2 = "OF2"
    case of1 = "OF1"
    case uf1 = "UF1"
    case uf2 = "UF2"

    /// True for functions that watch the phase voltages (pickup in per unit); false for frequency (pickup in Hz).
    public var watchesVoltage: Bool {
        switch self {
        case .ov2, .ov1, .uv1, .uv2: true
        case .of2, .of1, .uf1, .uf2: false
        }
    }

    /// True when the function picks up above its setting (OV, OF); false when below (UV, UF).
    public var picksUpAbove: Bool {
        switch self {
        case .ov2, .ov1, .of2, .of1: true
        case .uv1, .uv2, .uf1, .uf2: false
        }
    }

    /// The alarm code raised when this function trips.
    public var code: ProtectionCode {
        switch self {
        case .ov2: .tripOV2
        case .ov1: .tripOV1
        case .uv1: .tripUV1
        case .uv2: .tripUV2
        case .of2: .tripOF2
        case .of1: .tripOF1
        case .uf1: .tripUF1
        case .uf2: .tripUF2
        }
    }

    /// "pu" or "Hz": the unit of this function's pickup.
    public var pickupUnit: String { watchesVoltage ? "pu" : "Hz" }

    public var description: String { rawValue }
}

/// One trip setting: the pickup (per unit of nominal phase voltage, or Hz) and the maximum clearing time.
public struct TripSetting: Sendable, Hashable, Codable {
    /// Per unit of the nominal phase-to-neutral voltage for OV/UV; hertz for OF/UF.
    public var pickup: Double
    /// Longest time from the start of the abnormal condition to cease-to-energize.
    public var clearingTimeS: Double

    public init(pickup: Double, clearingTimeS: Double) {
        self.pickup = pickup
        self.clearingTimeS = clearingTimeS
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case pickup, clearingTimeS = "clearing_time_s"
    }
}

/// The eight IEEE 1547-2018 trip settings of one category, resolved for one system frequency: what the protection
/// step runs with. Voltage: Table 11 (Category I), 12 (II), 13 (III). Frequency: Table 19, the same for all three.
/// The policy carries a `TripPolicy` (a category and overrides); this is what it resolves to.
public struct TripSettings: Sendable, Hashable, Codable {
    public var category: AbnormalCategory
    /// System frequency the frequency pickups refer to: 60 (the standard's) or 50 (scaled); the transformer's.
    public var nominalHz: Double
    public var ov2: TripSetting
    public var ov1: TripSetting
    public var uv1: TripSetting
    public var uv2: TripSetting
    public var of2: TripSetting
    public var of1: TripSetting
    public var uf1: TripSetting
    public var uf2: TripSetting

    public init(
        category: AbnormalCategory = .ii, nominalHz: Double,
        ov2: TripSetting, ov1: TripSetting, uv1: TripSetting, uv2: TripSetting,
        of2: TripSetting, of1: TripSetting, uf1: TripSetting, uf2: TripSetting
    ) {
        self.category = category
        self.nominalHz = nominalHz
        self.ov2 = ov2
        self.ov1 = ov1
        self.uv1 = uv1
        self.uv2 = uv2
        self.of2 = of2
        self.of1 = of1
        self.uf1 = uf1
        self.uf2 = uf2
    }

    /// The defaults of `category`.
    /// IEEE 1547 is a 60 Hz standard. For a 50 Hz system every frequency pickup (and the adjustable ranges in
    /// `validate()`) is scaled by nominalHz/60, which keeps the same per-unit deviation: OF2 51.67, OF1 51.0,
    /// UF1 48.75, UF2 47.08 Hz. Clearing times are not scaled. A site under a 50 Hz grid code (e.g. EN 50549-1)
    /// should set its own values inside those scaled ranges.
    public static func defaults(_ category: AbnormalCategory, nominalHz: Double = 60) -> TripSettings {
        let (ov1S, uv1, uv2): (Double, TripSetting, TripSetting) = switch category {
        // Table 11: UV1 clears in 2 s.
        case .i: (2, TripSetting(pickup: 0.70, clearingTimeS: 2), TripSetting(pickup: 0.45, clearingTimeS: 0.16))
        // Table 12.
        case .ii: (2, TripSetting(pickup: 0.70, clearingTimeS: 10), TripSetting(pickup: 0.45, clearingTimeS: 0.16))
        // Table 13: long clearing times that leave room for momentary cessation and its ride-through.
        case .iii: (13, TripSetting(pickup: 0.88, clearingTimeS: 21), TripSetting(pickup: 0.50, clearingTimeS: 2))
        }
        return TripSettings(
            category: category, nominalHz: nominalHz,
            ov2: TripSetting(pickup: 1.20, clearingTimeS: 0.16),
            ov1: TripSetting(pickup: 1.10, clearingTimeS: ov1S),
            uv1: uv1, uv2: uv2,
            of2: TripSetting(pickup: scaledHz(62.0, nominalHz), clearingTimeS: 0.16),
            of1: TripSetting(pickup: scaledHz(61.2, nominalHz), clearingTimeS: 300),
            uf1: TripSetting(pickup: scaledHz(58.5, nominalHz), clearingTimeS: 300),
            uf2: TripSetting(pickup: scaledHz(56.5, nominalHz), clearingTimeS: 0.16)
        )
    }

    /// IEEE 1547-2018 Category II defaults (Table 12, Table 19).
    public static func categoryII(nominalHz: Double = 60) -> TripSettings {
        defaults(.ii, nominalHz: nominalHz)
    }

    /// The ride-through table of this category, at this system frequency.
    public var rideThrough: RideThroughTable { .ieee1547(category, nominalHz: nominalHz) }

    /// A frequency given for a 60 Hz system, scaled to `nominalHz`.
    static func scaledHz(_ hzAt60: Double, _ nominalHz: Double) -> Double {
        nominalHz == 60 ? hzAt60 : hzAt60 * nominalHz / 60
    }

    /// The setting of one trip function.
    public subscript(function: TripFunction) -> TripSetting {
        get {
            switch function {
            case .ov2: ov2
            case .ov1: ov1
            case .uv1: uv1
            case .uv2: uv2
            case .of2: of2
            case .of1: of1
            case .uf1: uf1
            case .uf2: uf2
            }
        }
        set {
            switch function {
            case .ov2: ov2 = newValue
            case .ov1: ov1 = newValue
            case .uv1: uv1 = newValue
            case .uv2: uv2 = newValue
            case .of2: of2 = newValue
            case .of1: of1 = newValue
            case .uf1: uf1 = newValue
            case .uf2: uf2 = newValue
            }
        }
    }
}
