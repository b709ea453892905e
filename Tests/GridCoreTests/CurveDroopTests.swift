import GridCore
import Testing

@Suite("Frequency droop (IEEE 1547-2018 §6.5.2.7)")
struct CurveDroopTests {
    let droop = FrequencyDroop()

    @Test("zero inside the deadband, including its edges")
    func deadband() {
        for f in [60.0, 60.036, 59.964, 60.02, 59.98] {
            #expect(droop.exportChangePU(frequencyHz: f) == 0, "f = \(f)")
        }
        #expect(droop.exportChangePU(frequencyHz: 60.037) < 0)
        #expect(droop.exportChangePU(frequencyHz: 59.963) > 0)
    }

    @Test("slope 1/(fn·k) beyond the deadband")
    func slope() {
        let over = droop.exportChangePU(frequencyHz: 60.536)
        #expect(abs(over - -(0.5 / (60 * 0.05))) < 1e-9)
        #expect(abs(over - -0.1667) < 1e-4)
        let under = droop.exportChangePU(frequencyHz: 59.464)
        #expect(abs(under - 0.5 / (60 * 0.05)) < 1e-9)
    }

    @Test("over- and under-frequency settings are independent")
    func asymmetric() {
        let d = FrequencyDroop(dbOFHz: 0.1, dbUFHz: 0.2, kOF: 0.02, kUF: 0.04)
        #expect(abs(d.exportChangePU(frequencyHz: 60.4) - -(0.3 / (60 * 0.02))) < 1e-9)
        #expect(abs(d.exportChangePU(frequencyHz: 59.5) - 0.3 / (60 * 0.04)) < 1e-9)
        #expect(d.exportChangePU(frequencyHz: 60.1) == 0 && d.exportChangePU(frequencyHz: 59.8) == 0)
    }

    @Test("clamped to ±1 pu", arguments: [(64.0, -1.0), (70.0, -1.0), (56.0, 1.0), (40.0, 1.0)])
    func clamp(f: Double, expected: Double) {
        #expect(droop.exportChangePU(frequencyHz: f) == expected)
    }

    @Test("just short of the clamp is not clamped")
    func nearClamp() {
        let f = 60.036 + 0.99 * 60 * 0.05
        #expect(abs(droop.exportChangePU(frequencyHz: f) - -0.99) < 1e-9)
    }

    @Test("50 Hz: only the nominal changes")
    func fiftyHertz() {
        let d = FrequencyDroop(nominalHz: 50)
        #expect(d.exportChangePU(frequencyHz: 50.036) == 0)
        #expect(abs(d.exportChangePU(frequencyHz: 50.536) - -(0.5 / (50 * 0.05))) < 1e-9)
        #expect(abs(d.exportChangePU(frequencyHz: 49.464) - 0.5 / (50 * 0.05)) < 1e-9)
        #expect(d.exportChangePU(frequencyHz: .nan).isNaN)
    }
}
