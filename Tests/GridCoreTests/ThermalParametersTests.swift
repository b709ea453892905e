import FoundationEssentials
import GridCore
import Testing

@Suite struct ThermalParametersTests {
    @Test func onanDefaultsValidate() throws {
        try ThermalParameters.onanDistribution.validate()
    }

    @Test(arguments: [
        ("tau_o_min", 0.0, "1.0…1000.0"), ("x", 2.5, "0.5…2.0"), ("k21", 0.5, "1.0…"),
        ("delta_theta_or", -5.0, "1.0…120.0"), ("R", -1.0, "0.0…"),
    ])
    func outOfRangeNamesTheFieldAndRange(field: String, value: Double, range: String) throws {
        let json = "{\"\(field)\": \(value)}"
        let p = try JSONDecoder().decode(ThermalParameters.self, from: Data(json.utf8))
        let error = try #require(throws: ThermalError.self) { try p.validate() }
        #expect(error.field == field)
        #expect(error.message.contains(field))
        #expect(error.message.contains(range))
        #expect(error.description == "thermal_parameter_out_of_range")
        #expect(throws: ThermalError.self) { try HotSpotModel(validating: p) }
    }

    @Test(arguments: [Double.nan, .infinity])
    func nonFiniteIsRejected(bad: Double) throws {
        var p = ThermalParameters.onanDistribution
        p.windingExponent = bad
        let error = try #require(throws: ThermalError.self) { try p.validate() }
        #expect(error.field == "y")
        #expect(error.description == "thermal_parameter_not_finite")
    }

    @Test func decodesIECKeysAndDefaultsTheRest() throws {
        let json = #"{"delta_theta_or": 38.3, "delta_theta_hr": 20.3, "R": 1000, "k11": 0.5, "initial_top_oil_c": 38.3}"#
        let p = try JSONDecoder().decode(ThermalParameters.self, from: Data(json.utf8))
        #expect(p.topOilRiseRatedK == 38.3)
        #expect(p.hotSpotGradientRatedK == 20.3)
        #expect(p.lossRatio == 1000)
        #expect(p.oilTimeConstantFactorK11 == 0.5)
        #expect(p.initialTopOilC == 38.3)
        #expect(p.initialHotSpotRiseK == nil)
        let d = ThermalParameters.onanDistribution
        #expect(p.oilTimeConstantMinutes == d.oilTimeConstantMinutes)
        #expect(p.windingExponent == d.windingExponent)
        #expect(p.hotSpotTimeConstantFactorK22 == d.hotSpotTimeConstantFactorK22)
    }

    @Test func emptyObjectIsTheONANDefault() throws {
        let p = try JSONDecoder().decode(ThermalParameters.self, from: Data("{}".utf8))
        #expect(p == .onanDistribution)
    }

    @Test func encodingRoundTripsWithIECKeys() throws {
        var p = ThermalParameters.onanDistribution
        p.initialTopOilC = 40
        let data = try JSONEncoder().encode(p)
        let text = String(decoding: data, as: UTF8.self)
        for key in ["delta_theta_or", "delta_theta_hr", "tau_o_min", "tau_w_min", "\"R\"", "k22", "initial_top_oil_c"] {
            #expect(text.contains(key), "missing \(key)")
        }
        #expect(!text.contains("initial_hot_spot_rise"))
        #expect(try JSONDecoder().decode(ThermalParameters.self, from: data) == p)
    }
}

@Suite struct ThermalParameterClampingTests {
    @Test func unvalidatedParametersAreClampedSoTheModelStaysFinite() {
        var p = ThermalParameters.onanDistribution
        p.oilTimeConstantMinutes = 0
        p.windingTimeConstantMinutes = .nan
        p.oilExponent = 9
        p.initialTopOilC = .infinity
        let model = HotSpotModel(parameters: p)
        #expect(model.parameters.oilTimeConstantMinutes == 1)
        #expect(model.parameters.windingTimeConstantMinutes == ThermalParameters.onanDistribution.windingTimeConstantMinutes)
        #expect(model.parameters.oilExponent == 2)
        #expect(model.parameters.initialTopOilC == nil)
        #expect(throws: Never.self) { try model.parameters.validate() }
        let s = model.step(model.initialState(ambientC: 20), loadPU: 1, ambientC: 20, minutes: 30)
        #expect(s.hotSpotC.isFinite)
    }

    @Test func validParametersAreUnchangedByClamping() {
        #expect(ThermalParameters.onanDistribution.clampedToAllowedRanges() == .onanDistribution)
        #expect(ThermalWorkedExampleTests.parameters.clampedToAllowedRanges() == ThermalWorkedExampleTests.parameters)
    }
}
