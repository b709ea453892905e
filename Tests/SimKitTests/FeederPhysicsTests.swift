import GridCore
@testable import SimKit
import Testing

@Suite("Feeder physics")
struct FeederPhysicsTests {
    @Test("the same seed gives identical observations; another seed does not")
    func determinism() throws {
        let scenario = try Fixtures.example("evening-unbalanced")
        let first = Fixtures.runUncoordinated(scenario, everyS: 300).1
        let second = Fixtures.runUncoordinated(scenario, everyS: 300).1
        #expect(first == second)
        var reseeded = scenario
        reseeded.seed += 1
        let third = Fixtures.runUncoordinated(reseeded, everyS: 300).1
        #expect(first != third)
    }

    @Test("voltage falls on the loaded phase only")
    func loadedPhaseSags() throws {
        let idle = try Fixtures.feeder(chargers: []).observe()
        let loaded = try Fixtures.feeder(chargers: [], baseKW: (30, 0, 0)).observe()
        // The physics, before the meter's jitter.
        #expect(abs(idle.feeder.meter.voltageV.a - 230) < 1e-6)
        #expect(loaded.feeder.meter.voltageV.a < 230 - 3)  // ≈ R·I + X·Iq through 4 % at 0.9 pu of the phase rating
        #expect(abs(loaded.feeder.meter.voltageV.b - 230) < 1e-6)
        #expect(abs(loaded.feeder.meter.voltageV.c - 230) < 1e-6)
        #expect(abs(loaded.feeder.meter.activePowerKW.a - 30) < 1e-6)
        #expect(abs(loaded.feeder.neutralCurrentA - loaded.feeder.meter.currentA.a) < 1e-6)  // only A carries current
        #expect(loaded.feeder.vufPercent > 0)
    }

    @Test("a balanced load has no neutral current")
    func balancedNeutral() throws {
        let observation = try Fixtures.feeder(chargers: [], baseKW: (20, 20, 20)).observe()
        #expect(observation.feeder.neutralCurrentA < 1e-6)
        #expect(observation.feeder.vufPercent < 1e-6)
        #expect(observation.meter.currentA.a > 80)
    }

    @Test("the uncoordinated evening is unbalanced")
    func eveningBaseline() throws {
        let (sim, observations) = Fixtures.runUncoordinated(try Fixtures.example("evening-unbalanced"))
        let metrics = sim.metrics
        #expect(metrics.elapsedS == 54_600)  // 17:00 to the last departure, 08:10
        #expect(metrics.neutralCurrentAverageA > 50)
        #expect(metrics.neutralCurrentPeakA > 100)
        let peakAt = try #require(metrics.neutralCurrentPeakAtS)
        #expect(peakAt > 0 && peakAt <= metrics.elapsedS)
        #expect(metrics.vufAveragePercent > 0.2)
        #expect(metrics.vufMaxPercent >= metrics.vufAveragePercent)
        #expect(metrics.vufIntervals == 91)
        let peak = try #require(observations.max { $0.feeder.neutralCurrentA < $1.feeder.neutralCurrentA })
        #expect(peak.meter.currentA.a > peak.meter.currentA.b && peak.meter.currentA.b > peak.meter.currentA.c)
        // Every EV left by 08:10; charging uncoordinated, each met its target.
        #expect(metrics.completedSessions.count == 12)
        #expect(metrics.completedSessions.allSatisfy { $0.metTarget == true })
        #expect(sim.sessions.count == 12)
    }

    @Test("the overload evening passes a 98 °C hot-spot without control")
    func overload() throws {
        let (sim, _) = Fixtures.runUncoordinated(try Fixtures.example("overload-evening"))
        #expect(sim.metrics.hotSpotPeakC > 98)
        #expect(sim.metrics.loadPeakPU > 1)
    }

    @Test("a sag event shows on that phase only")
    func sagOnOnePhase() throws {
        let scenario = try Fixtures.example("sag")
        var withoutSag = scenario
        withoutSag.events = []
        var sagged = FeederSimulation(scenario: scenario)
        var clean = FeederSimulation(scenario: withoutSag)
        sagged.advance(by: 25 * 60)  // the sag runs 17:20–17:30
        clean.advance(by: 25 * 60)
        let during = sagged.observe()
        let reference = clean.observe()
        #expect(during.feeder.voltagePU.a < 0.94)
        #expect(reference.feeder.voltagePU.a > 0.97)
        #expect(during.meter.voltageV.b == reference.meter.voltageV.b)
        #expect(during.meter.voltageV.c == reference.meter.voltageV.c)
        sagged.advance(by: 10 * 60)
        clean.advance(by: 10 * 60)
        #expect(abs(sagged.observe().meter.voltageV.a - clean.observe().meter.voltageV.a) < 1e-9)
    }

    @Test("a frozen meter repeats its values while the feeder moves on")
    func frozenMeter() throws {
        let scenario = try Fixtures.example("faults")
        var sim = FeederSimulation(scenario: scenario)
        sim.advance(by: 45 * 60 + 1)
        let first = sim.observe()
        sim.advance(by: 60)
        let later = sim.observe()
        #expect(first.meterFrozen && later.meterFrozen)
        #expect(later.meter.voltageV == first.meter.voltageV)
        #expect(later.meter.activePowerKW == first.meter.activePowerKW)
        #expect(later.feeder.meter.activePowerKW != first.feeder.meter.activePowerKW)
        sim.advance(by: 120)
        #expect(!sim.observe().meterFrozen)
        let thawed = sim.observe()
        for phase in Phase.allCases {
            #expect(abs(thawed.meter.voltageV[phase] / thawed.feeder.meter.voltageV[phase] - 1) <= MeterNoise.relative)
        }
    }

    @Test("the meter jitters like a real one: within ±0.05 % of the truth, never every channel repeated, reproducible")
    func meterJitter() throws {
        let scenario = try Fixtures.example("faults")
        var sim = FeederSimulation(scenario: scenario)
        var previous: MeterReading?
        for _ in 0..<600 {
            sim.advance(by: 1)
            let seen = sim.observe()
            let truth = seen.feeder.meter
            for phase in Phase.allCases {
                #expect(abs(seen.meter.voltageV[phase] - truth.voltageV[phase]) <= truth.voltageV[phase] * MeterNoise.relative)
                #expect(abs(seen.meter.activePowerKW[phase] - truth.activePowerKW[phase]) <= abs(truth.activePowerKW[phase]) * MeterNoise.relative)
            }
            if let previous { #expect(seen.meter.voltageV != previous.voltageV) }
            previous = seen.meter
        }
        var again = FeederSimulation(scenario: scenario)
        again.advance(by: 600)
        #expect(again.observe().meter == sim.observe().meter)
    }

    @Test("garbage-register flags are raised only within their window")
    func garbageFlags() throws {
        var sim = FeederSimulation(scenario: try Fixtures.example("faults"))
        sim.advance(by: 60 * 60 + 30)
        #expect(sim.observe().garbageRegisters == [GarbageRegister(device: "meter", point: "PhVphA")])
        sim.advance(by: 60)
        #expect(sim.observe().garbageRegisters.isEmpty)
        sim.advance(by: 9 * 60)
        #expect(sim.observe().garbageRegisters == [GarbageRegister(device: "evse-03", point: "W")])
    }

    @Test("PV at noon raises the voltage and reverses the flow; a frequency excursion follows its profile")
    func pvAndFrequency() throws {
        var sim = FeederSimulation(scenario: try Fixtures.example("pv-noon"))
        sim.advance(by: 90 * 60 + 60)  // 12:31, mid-excursion and near the PV peak
        let noon = sim.observe()
        #expect(noon.meter.activePowerKW.sum < 0)
        #expect(noon.feeder.voltagePU.a > 1.05)
        #expect(abs(noon.meter.frequencyHz - 60.6) < 0.03)
        #expect(sim.metrics.secondsOutsideBand.a > 0)
    }

    @Test("the transformer's temperatures follow the IEC 60076-7 model at K = |S|/S_rated")
    func thermalSteadyState() throws {
        var sim = try Fixtures.feeder(chargers: [], baseKW: (30, 30, 30))
        sim.advance(by: 3 * 3600)
        let observation = sim.observe()
        let model = HotSpotModel(parameters: .onanDistribution)
        let steady = model.steadyState(loadPU: observation.feeder.loadPU, ambientC: 20)
        #expect(abs(observation.feeder.loadPU - 0.9) < 1e-9)
        // Started in steady state at the same constant load: it stays there.
        #expect(abs(observation.topOilC - steady.topOilC) < 1e-6)
        #expect(abs(observation.hotSpotC - steady.hotSpotC) < 1e-6)
        #expect(observation.ambientC == 20)
    }

    @Test("generated sessions fall inside the generator's windows and depend on the seed")
    func generatedSessions() throws {
        let scenario = try Fixtures.example("overload-evening")
        let generator = try #require(scenario.sessionGenerator)
        for index in scenario.chargers.indices {
            let session = try #require(scenario.sessions(forChargerAt: index).first)
            #expect(session.arrival >= generator.arrivalEarliest && session.arrival <= generator.arrivalLatest)
            let dwell = session.departure - session.arrival
            #expect(dwell >= generator.dwellMinS && dwell <= generator.dwellMaxS)
            #expect(session.requestedKW <= scenario.chargers[index].ratedChargeKW)
        }
        var reseeded = scenario
        reseeded.seed += 1
        #expect(reseeded.sessions(forChargerAt: 0) != scenario.sessions(forChargerAt: 0))
    }
}
