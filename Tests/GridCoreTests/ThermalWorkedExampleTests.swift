import GridCore
import Testing

/// The IEC 60076-7 Annex C worked example (ONAF), a public test vector.
@Suite struct ThermalWorkedExampleTests {
    static let parameters = ThermalParameters(
        topOilRiseRatedK: 38.3, hotSpotGradientRatedK: 1.4 * 14.5,
        oilTimeConstantMinutes: 150, windingTimeConstantMinutes: 7,
        lossRatio: 1000, oilExponent: 0.8, windingExponent: 1.3,
        oilTimeConstantFactorK11: 0.5, hotSpotOvershootK21: 2, hotSpotTimeConstantFactorK22: 2,
        initialTopOilC: 38.3
    )
    static let ambientC = 25.6
    /// (end minute, K held until then), then the standard's (top-oil, hot-spot) at that end minute.
    static let profile: [(endMinute: Double, loadPU: Double, topOilC: Double, hotSpotC: Double)] = [
        (190, 1.0, 61.9, 83.8), (365, 0.6, 44.4, 54.0), (500, 1.5, 89.2, 127.0),
        (705, 0.3, 35.0, 37.5), (730, 2.1, 67.9, 138.6), (745, 0.0, 60.3, 75.3),
    ]

    @Test(arguments: [0.5, 1.0])
    func reproducesTheStandardsTable(stepMinutes: Double) throws {
        let model = try HotSpotModel(validating: Self.parameters)
        var state = model.initialState(ambientC: Self.ambientC)
        #expect(state.topOilC == 38.3)
        var minute = 0.0
        for row in Self.profile {
            while minute < row.endMinute {
                state = model.step(state, loadPU: row.loadPU, ambientC: Self.ambientC, minutes: stepMinutes)
                minute += stepMinutes
            }
            #expect(abs(state.topOilC - row.topOilC) <= 1.5, "top-oil at \(row.endMinute) min: \(state.topOilC)")
            #expect(abs(state.hotSpotC - row.hotSpotC) <= 1.5, "hot-spot at \(row.endMinute) min: \(state.hotSpotC)")
        }
    }

    @Test func oneLongStepMatchesManyShortOnes() throws {
        // Sub-stepping makes the result independent of how the caller slices time.
        let model = try HotSpotModel(validating: Self.parameters)
        let start = model.initialState(ambientC: Self.ambientC)
        let long = model.step(start, loadPU: 2.1, ambientC: Self.ambientC, minutes: 25)
        var short = start
        for _ in 0..<50 { short = model.step(short, loadPU: 2.1, ambientC: Self.ambientC, minutes: 0.5) }
        #expect(abs(long.hotSpotC - short.hotSpotC) < 1e-9)
        #expect(abs(long.lossOfLifeHours - short.lossOfLifeHours) < 1e-9)
    }

    @Test func subStepHonoursHalfTheSmallestTimeConstant() throws {
        // IEC 60076-7 Annex C: Dt ≤ half the smallest time constant; a τw of 0.2 min forces sub-steps of 0.1 min.
        var p = ThermalParameters.onanDistribution
        p.windingTimeConstantMinutes = 0.2
        let model = try HotSpotModel(validating: p)
        let smallest = min(p.oilTimeConstantFactorK11 * p.oilTimeConstantMinutes,
                           p.hotSpotTimeConstantFactorK22 * p.windingTimeConstantMinutes,
                           p.oilTimeConstantMinutes / p.hotSpotTimeConstantFactorK22)
        #expect(model.subStepMinutes <= smallest / 2)
        let example = try HotSpotModel(validating: Self.parameters)
        #expect(example.subStepMinutes <= 7.0)
    }
}
