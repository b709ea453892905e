/// The transformer's thermal parameters, named as in the IEC 60076-7 thermal model.
///
/// JSON keys are the standard's symbols (`delta_theta_or`, `tau_o_min`, `k21`, …); a missing key takes
/// the ONAN distribution default (`onanDistribution`).
public struct ThermalParameters: Sendable, Hashable, Codable {
    /// Δθor: top-oil temperature rise over ambient at rated load, in kelvin.
    public var topOilRiseRatedK: Double
    /// Δθhr = H·gr: hot-spot to top-oil gradient at rated load, in kelvin.
    public var hotSpotGradientRatedK: Double
    /// τo: average oil time constant, in minutes.
    public var oilTimeConstantMinutes: Double
    /// τw: winding time constant, in minutes.
    public var windingTimeConstantMinutes: Double
    /// R: ratio of load losses at rated current to no-load losses.
    public var lossRatio: Double
    /// x: oil exponent.
    public var oilExponent: Double
    /// y: winding exponent.
    public var windingExponent: Double
    /// k11: thermal model constant multiplying the oil time constant.
    public var oilTimeConstantFactorK11: Double
    /// k21: thermal model constant shaping the hot-spot overshoot.
    public var hotSpotOvershootK21: Double
    /// k22: thermal model constant splitting the winding and oil-flow time constants.
    public var hotSpotTimeConstantFactorK22: Double
    /// Top-oil temperature at the start of a simulation, in °C (nil: start from a steady state).
    public var initialTopOilC: Double?
    /// Hot-spot rise over top-oil at the start of a simulation, in kelvin (nil: 0, the no-load history).
    public var initialHotSpotRiseK: Double?

    /// The JSON keys, in the standard's spelling.
    public enum CodingKeys: String, CodingKey, CaseIterable, Sendable {
        case topOilRiseRatedK = "delta_theta_or"
        case hotSpotGradientRatedK = "delta_theta_hr"
        case oilTimeConstantMinutes = "tau_o_min"
        case windingTimeConstantMinutes = "tau_w_min"
        case lossRatio = "R"
        case oilExponent = "x"
        case windingExponent = "y"
        case oilTimeConstantFactorK11 = "k11"
        case hotSpotOvershootK21 = "k21"
        case hotSpotTimeConstantFactorK22 = "k22"
        case initialTopOilC = "initial_top_oil_c"
        case initialHotSpotRiseK = "initial_hot_spot_rise"
    }

    public init(
        topOilRiseRatedK: Double, hotSpotGradientRatedK: Double,
        oilTimeConstantMinutes: Double, windingTimeConstantMinutes: Double,
        lossRatio: Double, oilExponent: Double, windingExponent: Double,
        oilTimeConstantFactorK11: Double, hotSpotOvershootK21: Double, hotSpotTimeConstantFactorK22: Double,
        initialTopOilC: Double? = nil, initialHotSpotRiseK: Double? = nil
    ) {
        self.topOilRiseRatedK = topOilRiseRatedK
        self.hotSpotGradientRatedK = hotSpotGradientRatedK
        self.oilTimeConstantMinutes = oilTimeConstantMinutes
        self.windingTimeConstantMinutes = windingTimeConstantMinutes
        self.lossRatio = lossRatio
        self.oilExponent = oilExponent
        self.windingExponent = windingExponent
        self.oilTimeConstantFactorK11 = oilTimeConstantFactorK11
        self.hotSpotOvershootK21 = hotSpotOvershootK21
        self.hotSpotTimeConstantFactorK22 = hotSpotTimeConstantFactorK22
        self.initialTopOilC = initialTopOilC
        self.initialHotSpotRiseK = initialHotSpotRiseK
    }

    /// IEC 60076-7 recommended values for an ONAN distribution transformer.
    public static let onanDistribution = ThermalParameters(
        topOilRiseRatedK: 55, hotSpotGradientRatedK: 23,
        oilTimeConstantMinutes: 180, windingTimeConstantMinutes: 4,
        lossRatio: 5, oilExponent: 0.8, windingExponent: 1.6,
        oilTimeConstantFactorK11: 1, hotSpotOvershootK21: 1, hotSpotTimeConstantFactorK22: 2
    )

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = Self.onanDistribution
        topOilRiseRatedK = try c.decodeIfPresent(Double.self, forKey: .topOilRiseRatedK) ?? d.topOilRiseRatedK
        hotSpotGradientRatedK = try c.decodeIfPresent(Double.self, forKey: .hotSpotGradientRatedK) ?? d.hotSpotGradientRatedK
        oilTimeConstantMinutes = try c.decodeIfPresent(Double.self, forKey: .oilTimeConstantMinutes) ?? d.oilTimeConstantMinutes
        windingTimeConstantMinutes =
            try c.decodeIfPresent(Double.self, forKey: .windingTimeConstantMinutes) ?? d.windingTimeConstantMinutes
        lossRatio = try c.decodeIfPresent(Double.self, forKey: .lossRatio) ?? d.lossRatio
        oilExponent = try c.decodeIfPresent(Double.self, forKey: .oilExponent) ?? d.oilExponent
        windingExponent = try c.decodeIfPresent(Double.self, forKey: .windingExponent) ?? d.windingExponent
        oilTimeConstantFactorK11 = try c.decodeIfPresent(Double.self, forKey: .oilTimeConstantFactorK11) ?? d.oilTimeConstantFactorK11
        hotSpotOvershootK21 = try c.decodeIfPresent(Double.self, forKey: .hotSpotOvershootK21) ?? d.hotSpotOvershootK21
        hotSpotTimeConstantFactorK22 =
            try c.decodeIfPresent(Double.self, forKey: .hotSpotTimeConstantFactorK22) ?? d.hotSpotTimeConstantFactorK22
        initialTopOilC = try c.decodeIfPresent(Double.self, forKey: .initialTopOilC)
        initialHotSpotRiseK = try c.decodeIfPresent(Double.self, forKey: .initialHotSpotRiseK)
    }
}

extension ThermalParameters {
    /// The allowed ranges (wide enough for every transformer class IEC 60076-7 lists).
    static let allowedRanges: [(CodingKeys, ClosedRange<Double>, String)] = [
        (.topOilRiseRatedK, 1...120, "K"),
        (.hotSpotGradientRatedK, 0...100, "K"),
        (.oilTimeConstantMinutes, 1...1000, "min"),
        (.windingTimeConstantMinutes, 0.1...100, "min"),
        (.lossRatio, 0...10_000, ""),
        (.oilExponent, 0.5...2, ""),
        (.windingExponent, 0.5...3, ""),
        (.oilTimeConstantFactorK11, 0.1...2, ""),
        (.hotSpotOvershootK21, 1...10, ""),
        (.hotSpotTimeConstantFactorK22, 0.1...10, ""),
        (.initialTopOilC, -50...200, "°C"),
        (.initialHotSpotRiseK, 0...150, "K"),
    ]

    func value(for key: CodingKeys) -> Double? {
        switch key {
        case .topOilRiseRatedK: topOilRiseRatedK
        case .hotSpotGradientRatedK: hotSpotGradientRatedK
        case .oilTimeConstantMinutes: oilTimeConstantMinutes
        case .windingTimeConstantMinutes: windingTimeConstantMinutes
        case .lossRatio: lossRatio
        case .oilExponent: oilExponent
        case .windingExponent: windingExponent
        case .oilTimeConstantFactorK11: oilTimeConstantFactorK11
        case .hotSpotOvershootK21: hotSpotOvershootK21
        case .hotSpotTimeConstantFactorK22: hotSpotTimeConstantFactorK22
        case .initialTopOilC: initialTopOilC
        case .initialHotSpotRiseK: initialHotSpotRiseK
        }
    }

    mutating func set(_ key: CodingKeys, _ v: Double?) {
        let d = Self.onanDistribution
        switch key {
        case .topOilRiseRatedK: topOilRiseRatedK = v ?? d.topOilRiseRatedK
        case .hotSpotGradientRatedK: hotSpotGradientRatedK = v ?? d.hotSpotGradientRatedK
        case .oilTimeConstantMinutes: oilTimeConstantMinutes = v ?? d.oilTimeConstantMinutes
        case .windingTimeConstantMinutes: windingTimeConstantMinutes = v ?? d.windingTimeConstantMinutes
        case .lossRatio: lossRatio = v ?? d.lossRatio
        case .oilExponent: oilExponent = v ?? d.oilExponent
        case .windingExponent: windingExponent = v ?? d.windingExponent
        case .oilTimeConstantFactorK11: oilTimeConstantFactorK11 = v ?? d.oilTimeConstantFactorK11
        case .hotSpotOvershootK21: hotSpotOvershootK21 = v ?? d.hotSpotOvershootK21
        case .hotSpotTimeConstantFactorK22: hotSpotTimeConstantFactorK22 = v ?? d.hotSpotTimeConstantFactorK22
        case .initialTopOilC: initialTopOilC = v
        case .initialHotSpotRiseK: initialHotSpotRiseK = v
        }
    }

    /// A copy with every field inside its allowed range: out-of-range values are clamped, and a NaN or
    /// infinite value takes the ONAN default (or nil for the initial values). `validate()` is the strict check.
    public func clampedToAllowedRanges() -> ThermalParameters {
        var copy = self
        for (key, range, _) in Self.allowedRanges {
            guard let v = value(for: key) else { continue }
            copy.set(key, v.isFinite ? min(max(v, range.lowerBound), range.upperBound) : nil)
        }
        return copy
    }

    /// Throws a `ThermalError` naming the first field that is NaN, infinite or outside its allowed range.
    public func validate() throws(ThermalError) {
        for (key, range, unit) in Self.allowedRanges {
            guard let v = value(for: key) else { continue }
            guard v.isFinite else { throw ThermalError.notFinite(field: key.rawValue) }
            guard range.contains(v) else {
                throw ThermalError.outOfRange(field: key.rawValue, value: v, range: range, unit: unit)
            }
        }
    }
}
