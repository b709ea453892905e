import GridCore
import Testing

@Suite struct ThermalHeadroomTests {
    let model = HotSpotModel()

    @Test(arguments: [0.3, 0.8, 0.98])
    func stayingAtTheMaximumKeepsTheForecastWithinTheLimit(startLoadPU: Double) {
        let start = model.steadyState(loadPU: startLoadPU, ambientC: 20)
        let limit = 98.0
        let k = model.maximumLoadPU(from: start, ambientC: 20, hotSpotLimitC: limit)
        #expect(k > 1)
        #expect(k < HotSpotModel.maximumSearchLoadPU)
        #expect(model.forecastPeakHotSpotC(from: start, loadPU: k, ambientC: 20) <= limit)
        #expect(model.forecastPeakHotSpotC(from: start, loadPU: k + 1e-6, ambientC: 20) > limit)
    }

    @Test func maximumLoadFallsAsAmbientRises() {
        let start = model.steadyState(loadPU: 0.7, ambientC: 20)
        var previous = Double.infinity
        for ambient in stride(from: -10.0, through: 40.0, by: 5) {
            let k = model.maximumLoadPU(from: start, ambientC: ambient, hotSpotLimitC: 98, horizonMinutes: 60)
            #expect(k <= previous, "ambient \(ambient) °C")
            previous = k
        }
        #expect(previous < model.maximumLoadPU(from: start, ambientC: -10, hotSpotLimitC: 98, horizonMinutes: 60))
    }

    @Test func maximumLoadRisesWithTheLimit() {
        let start = model.steadyState(loadPU: 0.9, ambientC: 25)
        var previous = -1.0
        for limit in stride(from: 90.0, through: 120.0, by: 2.5) {
            let k = model.maximumLoadPU(from: start, ambientC: 25, hotSpotLimitC: limit)
            #expect(k >= previous, "limit \(limit) °C")
            previous = k
        }
    }

    @Test func noHeadroomReturnsZero() {
        // Already above the limit: even K = 0 breaks it within the horizon.
        let hot = model.steadyState(loadPU: 1.3, ambientC: 30)
        #expect(hot.hotSpotC > 98)
        #expect(model.maximumLoadPU(from: hot, ambientC: 30, hotSpotLimitC: 98) == 0)
        #expect(model.maximumLoadPU(from: hot, ambientC: 30, hotSpotLimitC: 98) == 0)
    }

    @Test func invalidInputsGiveNoHeadroom() {
        let s = model.steadyState(loadPU: 0.5, ambientC: 20)
        #expect(model.maximumLoadPU(from: s, ambientC: .nan, hotSpotLimitC: 98) == 0)
        #expect(model.maximumLoadPU(from: s, ambientC: 20, hotSpotLimitC: .nan) == 0)
        #expect(model.forecastPeakHotSpotC(from: s, loadPU: .nan, ambientC: 20) == .infinity)
    }

    @Test func coldTransformerReturnsTheSearchCap() {
        let cold = model.steadyState(loadPU: 0, ambientC: -30)
        let k = model.maximumLoadPU(from: cold, ambientC: -30, hotSpotLimitC: 120, horizonMinutes: 1)
        #expect(k == HotSpotModel.maximumSearchLoadPU)
    }

    @Test func forecastPeakIsTheStartWhenCoolingAndTheEndWhenHeating() throws {
        let example = try HotSpotModel(validating: ThermalWorkedExampleTests.parameters)
        let warm = example.steadyState(loadPU: 1.5, ambientC: 25.6)
        let cooling = example.forecastPeakHotSpotC(from: warm, loadPU: 0.3, ambientC: 25.6)
        #expect(cooling == warm.hotSpotC)
        let cool = example.steadyState(loadPU: 0.3, ambientC: 25.6)
        let heating = example.forecastPeakHotSpotC(from: cool, loadPU: 1.5, ambientC: 25.6, horizonMinutes: 30)
        let end = example.step(cool, loadPU: 1.5, ambientC: 25.6, minutes: 30)
        #expect(heating > cool.hotSpotC)
        #expect(abs(heating - end.hotSpotC) < 1e-9)
    }
}
