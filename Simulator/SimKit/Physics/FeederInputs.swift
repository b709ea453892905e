#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import GridCore

/// The feeder's exogenous inputs as pure functions of time: upstream voltage, household load, frequency,
/// ambient. Noise is counter-based, so the values do not depend on how the simulation is stepped.
struct FeederInputs: Sendable {
    let scenario: Scenario
    private let upstreamHours: [Double]
    private let upstreamValues: [Double]
    private let ambientHours: [Double]
    private let ambientValues: [Double]
    private let loadHours: [Double]
    private let loadKW: PerPhase<[Double]>
    private let loadNoise: PerPhase<SeededNoise>
    private let frequencyNoise: SeededNoise

    init(scenario: Scenario) {
        self.scenario = scenario
        upstreamHours = scenario.upstreamVoltagePU.map(\.hour)
        upstreamValues = scenario.upstreamVoltagePU.map(\.value)
        ambientHours = scenario.ambientC.map(\.hour)
        ambientValues = scenario.ambientC.map(\.value)
        loadHours = scenario.baseLoad.profile.map(\.hour)
        loadKW = PerPhase { phase in scenario.baseLoad.profile.map { $0.kilowatts[phase] } }
        let interval = scenario.baseLoad.noiseIntervalS
        loadNoise = PerPhase { phase in
            SeededNoise(seed: scenario.seed, stream: 0x10AD_0000 &+ UInt64(phase.hashIndex), intervalS: interval)
        }
        frequencyNoise = SeededNoise(seed: scenario.seed, stream: 0xF4E9, intervalS: scenario.frequency.noiseIntervalS)
    }

    /// The daily profile, then any hot-transformer event active now, in file order.
    func ambientC(at time: Timestamp) -> Double {
        let profile = dailyValue(hours: ambientHours, values: ambientValues, at: scenario.hourOfDay(at: time))
        return scenario.events.reduce(profile) { ambient, event in event.ambientC(ambient, at: time) }
    }

    /// Upstream phase voltages in per unit: the daily profile, raised by PV events, a sagged phase replaced.
    func upstreamPU(at time: Timestamp) -> PerPhase<Double> {
        var pu = PerPhase(repeating: dailyValue(hours: upstreamHours, values: upstreamValues, at: scenario.hourOfDay(at: time)))
        for event in scenario.events where event.kind == .pvOvervoltage && event.isActive(at: time) {
            let rise = (event.voltageRisePU ?? 0) * event.halfSine(at: time)
            pu = pu.map { $0 + rise }
        }
        for event in scenario.events where event.kind == .voltageSag && event.isActive(at: time) {
            if let phase = event.phase, let sagged = event.perUnit { pu[phase] = min(pu[phase], sagged) }
        }
        return pu
    }

    /// Household active (kW) and absorbed reactive (kvar) power per phase; PV output is subtracted at unity power factor.
    func baseLoad(at time: Timestamp) -> (kw: PerPhase<Double>, kvar: PerPhase<Double>) {
        let spec = scenario.baseLoad
        let hour = scenario.hourOfDay(at: time)
        let tanPhi = (1 - spec.powerFactor * spec.powerFactor).squareRoot() / spec.powerFactor
        let households = PerPhase { phase in
            let profile = dailyValue(hours: loadHours, values: loadKW[phase], at: hour)
            let noise = loadNoise[phase].value(atS: time.secondsSinceEpoch) * spec.noisePercent / 100
            return max(profile * (1 + noise), 0)
        }
        var kw = households
        for event in scenario.events where event.kind == .pvOvervoltage && event.isActive(at: time) {
            guard let pv = event.pvKW else { continue }
            let shape = event.halfSine(at: time)
            kw = PerPhase { phase in kw[phase] - pv[phase] * shape }
        }
        return (kw, households.map { $0 * tanPhi })
    }

    /// Nominal (or the excursion's profile) plus seeded noise.
    func frequencyHz(at time: Timestamp) -> Double {
        let excursion = scenario.events.lazy.filter { $0.kind == .frequencyExcursion }.compactMap { $0.excursionHz(at: time) }.first
        let noise = frequencyNoise.value(atS: time.secondsSinceEpoch) * scenario.frequency.noiseHz
        return (excursion ?? scenario.frequency.nominalHz) + noise
    }

    func isActive(_ kind: ScenarioEvent.Kind, at time: Timestamp, where match: (ScenarioEvent) -> Bool = { _ in true }) -> Bool {
        scenario.events.contains { $0.kind == kind && $0.isActive(at: time) && match($0) }
    }
}

extension Phase {
    var hashIndex: Int {
        switch self {
        case .a: 0
        case .b: 1
        case .c: 2
        }
    }
}
