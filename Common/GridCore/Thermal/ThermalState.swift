/// The state of the IEC 60076-7 Annex C difference-equation model at one instant.
public struct ThermalState: Sendable, Hashable, Codable {
    /// θo: top-oil temperature, in °C.
    public var topOilC: Double
    /// Δθh1: the fast (winding) part of the hot-spot rise over top-oil, in kelvin.
    public var hotSpotRiseH1K: Double
    /// Δθh2: the slow (oil-flow) part subtracted from Δθh1, in kelvin.
    public var hotSpotRiseH2K: Double
    /// Accumulated equivalent ageing, in hours at the reference hot-spot (IEC 60076-7 loss of life, L = ∫V dt).
    public var lossOfLifeHours: Double

    public init(topOilC: Double, hotSpotRiseH1K: Double, hotSpotRiseH2K: Double, lossOfLifeHours: Double = 0) {
        self.topOilC = topOilC
        self.hotSpotRiseH1K = hotSpotRiseH1K
        self.hotSpotRiseH2K = hotSpotRiseH2K
        self.lossOfLifeHours = lossOfLifeHours
    }

    /// θh = θo + Δθh1 − Δθh2, in °C (IEC 60076-7 Annex C).
    public var hotSpotC: Double { topOilC + hotSpotRiseH1K - hotSpotRiseH2K }

    /// The hot-spot rise over top-oil, Δθh = Δθh1 − Δθh2, in kelvin.
    public var hotSpotRiseK: Double { hotSpotRiseH1K - hotSpotRiseH2K }
}
