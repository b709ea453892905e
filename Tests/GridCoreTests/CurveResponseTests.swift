#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import GridCore
import Testing

@Suite("Open-loop response and IEEE 1547.1 judgement")
struct CurveResponseTests {
    struct StepCase: Sendable, CustomTestStringConvertible {
        var category: PerformanceCategory
        var dtS: Double
        var testDescription: String { "Cat \(category.rawValue), dt \(dtS) s" }
    }

    static let stepCases = PerformanceCategory.allCases.flatMap { c in [0.1, 0.5, 1.0].map { StepCase(category: c, dtS: $0) } }

    /// Volt-VAR step 1.00 → 1.08 pu, sampled every `dtS`: output after `steps` samples.
    static func stepResponse(_ curve: VoltVarCurve, dtS: Double, steps: Int) -> Double {
        let target = curve.reactivePowerPU(atVoltagePU: 1.08)
        var response = OpenLoopResponse(responseTimeS: curve.responseTimeS, initial: curve.reactivePowerPU(atVoltagePU: 1.00))
        for _ in 0..<steps { _ = response.advance(toward: target, dtS: dtS) }
        return response.output
    }

    @Test("90–91 % of a Volt-VAR step at exactly Tr, whatever the sample period", arguments: stepCases)
    func responseTime(c: StepCase) {
        let curve = VoltVarCurve.defaults(for: c.category)
        let initial = curve.reactivePowerPU(atVoltagePU: 1.00)
        let target = curve.reactivePowerPU(atVoltagePU: 1.08)
        #expect(target < initial)
        let stepsToTr = Int((curve.responseTimeS / c.dtS).rounded())
        let atTr = Self.stepResponse(curve, dtS: c.dtS, steps: stepsToTr)
        let covered = ResponseTolerance.stepFractionCovered(initial: initial, target: target, value: atTr)
        #expect(covered >= 0.9 - ResponseTolerance.fractionSlack && covered <= 0.91, "covered \(covered)")
        #expect(ResponseTolerance.reachedNinetyPercent(initial: initial, target: target, valueAtResponseTime: atTr))
        // One sample earlier it has not yet: the lag is not faster than asked.
        let before = Self.stepResponse(curve, dtS: c.dtS, steps: stepsToTr - 1)
        #expect(!ResponseTolerance.reachedNinetyPercent(initial: initial, target: target, valueAtResponseTime: before))
        // The same instant gives the same output at every sample period (exact discretisation).
        let reference = initial + (target - initial) * (1 - exp(-log(10.0)))
        #expect(abs(atTr - reference) < 1e-12)
        // Settled after 10 Tr, inside the 1547.1 steady-state band at 1.08 pu.
        let settled = Self.stepResponse(curve, dtS: c.dtS, steps: 10 * stepsToTr)
        #expect(ResponseTolerance.steadyStateQBand(curve: curve, voltagePU: 1.08).contains(settled))
    }

    @Test("τ = Tr / ln 10")
    func timeConstant() {
        let response = OpenLoopResponse(responseTimeS: 5, initial: 0)
        #expect(abs(response.timeConstantS - 5 / log(10.0)) < 1e-12)
    }

    @Test("dt ≤ 0, NaN dt or a non-finite target keep the last output")
    func safeInputs() {
        var response = OpenLoopResponse(responseTimeS: 5, initial: 0.2)
        _ = response.advance(toward: 0.4, dtS: 1)
        let held = response.output
        #expect(held > 0.2 && held < 0.4)
        #expect(response.advance(toward: 0.9, dtS: 0) == held)
        #expect(response.advance(toward: 0.9, dtS: -1) == held)
        #expect(response.advance(toward: 0.9, dtS: .nan) == held)
        #expect(response.advance(toward: .nan, dtS: 1) == held)
        #expect(response.advance(toward: .infinity, dtS: 1) == held)
    }

    @Test("a zero response time passes the target through; a NaN start jumps to the target")
    func degenerate() {
        var instant = OpenLoopResponse(responseTimeS: 0, initial: 0)
        #expect(instant.advance(toward: -0.3, dtS: 0.1) == -0.3)
        var unset = OpenLoopResponse(responseTimeS: 5, initial: .nan)
        #expect(unset.advance(toward: 0.1, dtS: 0.1) == 0.1)
    }

    @Test("steady-state Q band: curve over V ± 0.015 pu, widened by ±0.075 pu")
    func qBand() {
        let curve = VoltVarCurve.categoryB
        // On the absorbing slope at 1.05: min at 1.065, max at 1.035.
        let band = ResponseTolerance.steadyStateQBand(curve: curve, voltagePU: 1.05)
        #expect(abs(band.lowerBound - (curve.reactivePowerPU(atVoltagePU: 1.065) - 0.075)) < 1e-12)
        #expect(abs(band.upperBound - (curve.reactivePowerPU(atVoltagePU: 1.035) + 0.075)) < 1e-12)
        // Across the V4 corner the flat end bounds the band.
        let corner = ResponseTolerance.steadyStateQBand(curve: curve, voltagePU: 1.08)
        #expect(abs(corner.lowerBound - (-0.44 - 0.075)) < 1e-12)
        // With VRef moved, the band follows the shifted curve.
        let moved = ResponseTolerance.steadyStateQBand(curve: curve, voltagePU: 1.03, vRefPU: 1.03)
        #expect(abs(moved.lowerBound + 0.075) < 1e-12 && abs(moved.upperBound - 0.075) < 1e-12)
    }

    @Test("steady-state P bands for Volt-Watt, charging Volt-Watt and droop")
    func pBands() {
        let vw = ResponseTolerance.steadyStatePBand(curve: .ieee1547Default, voltagePU: 1.08)
        #expect(abs(vw.lowerBound - (VoltWattCurve.ieee1547Default.maxDischargePU(atVoltagePU: 1.095) - 0.075)) < 1e-12)
        #expect(abs(vw.upperBound - (VoltWattCurve.ieee1547Default.maxDischargePU(atVoltagePU: 1.065) + 0.075)) < 1e-12)
        let charge = ResponseTolerance.steadyStatePBand(curve: .defaults, voltagePU: 0.90)
        #expect(abs(charge.lowerBound - (0.5 - 0.375 - 0.075)) < 1e-9 && abs(charge.upperBound - (0.5 + 0.375 + 0.075)) < 1e-9)
        let droop = ResponseTolerance.steadyStateExportBand(droop: FrequencyDroop(), frequencyHz: 60.536)
        #expect(abs(droop.lowerBound - (-(0.515 / 3) - 0.075)) < 1e-9)
        #expect(abs(droop.upperBound - (-(0.485 / 3) + 0.075)) < 1e-9)
    }
}

@Suite("Autonomous VRef (IEEE 1547-2018 §5.3.3)")
struct CurveAutonomousVRefTests {
    @Test("follows the measured voltage with its time constant, whatever the sample period", arguments: [0.5, 1.0, 10.0])
    func timeConstant(dtS: Double) {
        var vRef = AutonomousVRef(timeConstantS: 300)
        for _ in 0..<Int((300 / dtS).rounded()) { _ = vRef.update(voltagePU: 1.03, dtS: dtS) }
        #expect(abs(vRef.vRefPU - (1.0 + 0.03 * (1 - exp(-1.0)))) < 1e-9)
        for _ in 0..<Int((3000 / dtS).rounded()) { _ = vRef.update(voltagePU: 1.03, dtS: dtS) }
        #expect(abs(vRef.vRefPU - 1.03) < 1e-5)
    }

    @Test("clamped to 0.95–1.05 pu", arguments: [(1.10, 1.05), (0.80, 0.95), (2.0, 1.05)])
    func clamped(measured: Double, limit: Double) {
        var vRef = AutonomousVRef(timeConstantS: 300)
        var seen = vRef.vRefPU
        for _ in 0..<5000 {
            seen = vRef.update(voltagePU: measured, dtS: 1)
            #expect(AutonomousVRef.allowedRangePU.contains(seen))
        }
        #expect(seen == limit)
        // No wind-up: the way back starts at the limit at once.
        let back = vRef.update(voltagePU: 1.0, dtS: 1)
        #expect(abs(back - limit) > 0 && abs(back - 1.0) < abs(limit - 1.0))
    }

    @Test("initial value is clamped; NaN voltage or dt ≤ 0 keep VRef")
    func safeInputs() {
        #expect(AutonomousVRef(timeConstantS: 300, initialVRefPU: 1.2).vRefPU == 1.05)
        var vRef = AutonomousVRef(timeConstantS: 300, initialVRefPU: 1.01)
        #expect(vRef.update(voltagePU: .nan, dtS: 1) == 1.01)
        #expect(vRef.update(voltagePU: 1.04, dtS: 0) == 1.01)
    }
}

@Suite("1547.1 bands at an unknown input")
struct CurveBandNaNTests {
    @Test("NaN voltage or frequency gives a band holding no finite value, without trapping")
    func nanBands() {
        let q = ResponseTolerance.steadyStateQBand(curve: .categoryB, voltagePU: .nan)
        let p = ResponseTolerance.steadyStatePBand(curve: .ieee1547Default, voltagePU: .nan)
        let f = ResponseTolerance.steadyStateExportBand(droop: FrequencyDroop(), frequencyHz: .nan)
        for band in [q, p, f] {
            #expect(!band.contains(0) && !band.contains(-0.44) && !band.contains(1))
        }
        var broken = VoltVarCurve.categoryB
        broken.q4PU = .nan
        #expect(!ResponseTolerance.steadyStateQBand(curve: broken, voltagePU: 1.1).contains(-0.44))
    }
}
