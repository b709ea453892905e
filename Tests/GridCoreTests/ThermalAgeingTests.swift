import GridCore
import Testing

@Suite struct ThermalAgeingTests {
    /// IEC 60076-7 table of relative ageing rates: (hot-spot °C, V normal paper, V thermally upgraded paper).
    static let table: [(hotSpotC: Double, normal: Double, upgraded: Double)] = [
        (80, 0.125, 0.036), (86, 0.25, 0.073), (92, 0.5, 0.145), (98, 1.0, 0.282),
        (104, 2.0, 0.536), (110, 4.0, 1.0), (116, 8.0, 1.83), (122, 16.0, 3.29),
        (128, 32.0, 5.8), (134, 64.0, 10.1), (140, 128.0, 17.2),
    ]

    @Test(arguments: table)
    func matchesTheStandardsTable(row: (hotSpotC: Double, normal: Double, upgraded: Double)) {
        let normal = HotSpotModel.relativeAgeingRate(hotSpotC: row.hotSpotC, paper: .normal)
        let upgraded = HotSpotModel.relativeAgeingRate(hotSpotC: row.hotSpotC, paper: .thermallyUpgraded)
        #expect(abs(normal - row.normal) <= row.normal * 1e-9)
        // The table prints two or three significant digits (0.036 stands for 0.0358).
        #expect(abs(upgraded - row.upgraded) <= row.upgraded * 0.015)
    }

    @Test func referencePointsAreOne() {
        #expect(HotSpotModel.relativeAgeingRate(hotSpotC: 98, paper: .normal) == 1)
        #expect(abs(HotSpotModel.relativeAgeingRate(hotSpotC: 110, paper: .thermallyUpgraded) - 1) < 1e-12)
    }

    @Test func rateDoublesEverySixKelvinForNormalPaper() {
        for theta in stride(from: 60.0, through: 140.0, by: 7.5) {
            let v = HotSpotModel.relativeAgeingRate(hotSpotC: theta, paper: .normal)
            let v6 = HotSpotModel.relativeAgeingRate(hotSpotC: theta + 6, paper: .normal)
            #expect(abs(v6 / v - 2) < 1e-12)
        }
    }

    @Test func rateStaysFiniteAtAbsurdHotSpots() {
        for paper in HotSpotModel.Paper.allCases {
            #expect(HotSpotModel.relativeAgeingRate(hotSpotC: 1e6, paper: paper).isFinite)
            #expect(HotSpotModel.relativeAgeingRate(hotSpotC: -1e6, paper: paper).isFinite)
        }
    }

    @Test func upgradedPaperAccruesLessLossOfLifeAtTheSameHotSpot() throws {
        let normal = HotSpotModel(paper: .normal)
        let upgraded = HotSpotModel(paper: .thermallyUpgraded)
        let s = normal.steadyState(loadPU: 1.1, ambientC: 25)
        let a = normal.step(s, loadPU: 1.1, ambientC: 25, minutes: 60).lossOfLifeHours
        let b = upgraded.step(s, loadPU: 1.1, ambientC: 25, minutes: 60).lossOfLifeHours
        #expect(a > b)
        #expect(b > 0)
    }
}
