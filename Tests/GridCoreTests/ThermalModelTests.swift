import GridCore
import Testing

@Suite struct ThermalModelTests {
    @Test func onanSteadyStateAtRatedLoadIs98C() throws {
        let model = HotSpotModel()
        let s = model.steadyState(loadPU: 1, ambientC: 20)
        #expect(abs(s.topOilC - 75) < 1e-9)
        #expect(abs(s.hotSpotC - 98) < 1e-9)
        #expect(abs(HotSpotModel.relativeAgeingRate(hotSpotC: s.hotSpotC, paper: .normal) - 1) < 1e-9)
    }

    @Test func steadyStateIsAFixedPointOfStep() throws {
        let model = HotSpotModel()
        let s = model.steadyState(loadPU: 1.2, ambientC: 30)
        let after = model.step(s, loadPU: 1.2, ambientC: 30, minutes: 60)
        #expect(abs(after.topOilC - s.topOilC) < 1e-9)
        #expect(abs(after.hotSpotC - s.hotSpotC) < 1e-9)
    }

    @Test func longRunConvergesToSteadyState() throws {
        let model = HotSpotModel()
        let start = model.steadyState(loadPU: 0.2, ambientC: 10)
        let end = model.step(start, loadPU: 1.3, ambientC: 25, minutes: 5000)
        let target = model.steadyState(loadPU: 1.3, ambientC: 25)
        #expect(abs(end.hotSpotC - target.hotSpotC) < 0.01)
    }

    @Test func lossOfLifeAtReferenceHotSpotIsElapsedTime() throws {
        let model = HotSpotModel()
        let s = model.steadyState(loadPU: 1, ambientC: 20)
        let after = model.step(s, loadPU: 1, ambientC: 20, minutes: 120)
        #expect(abs(after.lossOfLifeHours - 2) < 1e-6)
    }

    @Test func measuredTopOilReplacesTheModelledOne() throws {
        let model = HotSpotModel()
        let s = model.steadyState(loadPU: 0.5, ambientC: 20)
        let after = model.step(s, loadPU: 0.5, ambientC: 20, minutes: 10, measuredTopOilC: 70)
        #expect(after.topOilC == 70)
        #expect(abs(after.hotSpotRiseK - s.hotSpotRiseK) < 1e-9)
        let ignored = model.step(s, loadPU: 0.5, ambientC: 20, minutes: 10, measuredTopOilC: .nan)
        #expect(abs(ignored.topOilC - s.topOilC) < 1e-9)
    }

    @Test(arguments: [Double.nan, .infinity, -.infinity])
    func invalidLoadOrAmbientHoldsTheTemperatures(bad: Double) throws {
        let model = HotSpotModel()
        let s = model.steadyState(loadPU: 1, ambientC: 20)
        for after in [model.step(s, loadPU: bad, ambientC: 20, minutes: 60),
                      model.step(s, loadPU: 1, ambientC: bad, minutes: 60)] {
            #expect(after.topOilC == s.topOilC)
            #expect(after.hotSpotC == s.hotSpotC)
            #expect(abs(after.lossOfLifeHours - 1) < 1e-9)
        }
        #expect(model.step(s, loadPU: 1, ambientC: 20, minutes: bad) == s)
        #expect(model.steadyState(loadPU: bad, ambientC: bad).hotSpotC.isFinite)
    }

    @Test func negativeLoadIsClampedToZero() throws {
        let model = HotSpotModel()
        let s = model.steadyState(loadPU: 1, ambientC: 20)
        let negative = model.step(s, loadPU: -1, ambientC: 20, minutes: 30)
        let zero = model.step(s, loadPU: 0, ambientC: 20, minutes: 30)
        #expect(negative == zero)
    }

    @Test func initialHotSpotRiseIsSplitLikeTheSteadyState() throws {
        var p = ThermalParameters.onanDistribution
        p.hotSpotOvershootK21 = 2
        p.initialTopOilC = 50
        p.initialHotSpotRiseK = 10
        let model = HotSpotModel(parameters: p)
        let s = model.initialState(ambientC: 20)
        #expect(s.hotSpotC == 60)
        #expect(s.hotSpotRiseH1K == 20)
        #expect(s.hotSpotRiseH2K == 10)
    }
}
