@testable import GridCore
import Testing

/// The safe state must not heat a hot transformer: the thermal limit holds there too, and no charger is raised.
@Suite("Safe state: thermal limit and never raising a charger")
struct SafeStateThermalTests {
    /// A stale meter (10 s old) puts the cycle in the safe state at once.
    static func safeCycle(
        thermal: ThermalState?, trusted: TrustedLoad?, measuredKW: Double, writtenKW: Double?, topOilC: Double? = nil
    ) -> CycleOutcome {
        var state = CycleState()
        state.lastRunAt = Fixture.now + -1
        state.thermal = thermal
        state.trustedLoad = trusted
        if let writtenKW {
            state.written["a1"] = WrittenSetpoint(
                setpoint: ChargerSetpoint(chargerID: "a1", activePowerKW: writtenKW, reactivePowerKvar: 0), at: Fixture.now + -1)
        }
        let inputs = CycleInputs(
            meter: Fixture.meter(time: Fixture.now + -10), ambientC: 30, topOilC: topOilC,
            chargers: [Fixture.charger("a1", .single(.a), requestKW: 7, measuredKW: measuredKW),
                       Fixture.charger("b1", .single(.b), requestKW: 7, measuredKW: measuredKW)])
        return Fixture.run(inputs, state: state)
    }

    static let model = HotSpotModel(parameters: .onanDistribution)

    @Test("cool transformer: the fallback, but never more than the charger drew or was told")
    func coolNeverRaised() {
        let cool = Self.model.steadyState(loadPU: 0.3, ambientC: 30)
        let trusted = TrustedLoad(loadPU: 0.3, householdKW: 20, reactiveKvar: 3)
        let drewFive = Self.safeCycle(thermal: cool, trusted: trusted, measuredKW: 5, writtenKW: 5)
        #expect(drewFive.mode == .safeState)
        #expect(drewFive.kw("a1") == ControlPolicy().fallbackChargeKW)
        let drewTwo = Self.safeCycle(thermal: cool, trusted: trusted, measuredKW: 2, writtenKW: 2)
        #expect(drewTwo.kw("a1") == 2)
        let stopped = Self.safeCycle(thermal: cool, trusted: trusted, measuredKW: 0, writtenKW: 0)
        #expect(stopped.kw("a1") == 0 && stopped.kw("b1") == 0)
    }

    @Test("hot transformer (hot-spot above the limit), model run forward with no probe: no charging at all")
    func hotNoProbe() {
        let hot = Self.model.steadyState(loadPU: 1.5, ambientC: 30)
        #expect(hot.hotSpotC > ControlPolicy().thermal.hotSpotLimitC)
        let outcome = Self.safeCycle(thermal: hot, trusted: TrustedLoad(loadPU: 1.5, householdKW: 100, reactiveKvar: 10),
                                     measuredKW: 3, writtenKW: 3)
        #expect(outcome.mode == .safeState)
        #expect(outcome.setpoints.allSatisfy { $0.activePowerKW == 0 })
        #expect(outcome.has("THERMAL_LIMIT"))
    }

    @Test("a top-oil probe that answers sets the limit: hot oil stops charging, cool oil allows the fallback")
    func probe() {
        let warm = Self.model.steadyState(loadPU: 0.9, ambientC: 30)
        let trusted = TrustedLoad(loadPU: 0.9, householdKW: 60, reactiveKvar: 5)
        let hotOil = Self.safeCycle(thermal: warm, trusted: trusted, measuredKW: 5, writtenKW: 5, topOilC: 95)
        #expect(hotOil.setpoints.allSatisfy { $0.activePowerKW == 0 })
        let coolOil = Self.safeCycle(thermal: warm, trusted: trusted, measuredKW: 5, writtenKW: 5, topOilC: 40)
        #expect(coolOil.kw("a1") == ControlPolicy().fallbackChargeKW)
    }

    @Test("close to the limit: the fleet shares what the limit still allows, less than the fallback each")
    func partialHeadroom() {
        // Find a household load that leaves a few kW of headroom over 15 minutes at this state.
        let state = Self.model.steadyState(loadPU: 0.7, ambientC: 30)
        let maxPU = Self.model.maximumLoadPU(from: state, ambientC: 30, hotSpotLimitC: 97, horizonMinutes: 15)
        #expect(maxPU > 0.7 && maxPU < HotSpotModel.maximumSearchLoadPU)
        let household = maxPU * 100 - 4  // 4 kW left for the EVs, no reactive power
        let outcome = Self.safeCycle(thermal: state, trusted: TrustedLoad(loadPU: 0.7, householdKW: household, reactiveKvar: 0),
                                     measuredKW: 5, writtenKW: 5)
        let total = outcome.setpoints.reduce(0) { $0 + $1.activePowerKW }
        #expect(total <= 4.05)
        #expect(total > 3)
    }
}
