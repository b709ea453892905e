public import GridCore
public import MeshPlanner
public import TelemetryTesting

/// Seeded random neighborhoods for the planner's tests and benchmarks: the same seed gives the same snapshot.
public struct SyntheticNeighborhood: Sendable {
    /// What the random draws range over.
    public struct Shape: Sendable {
        public var transformers: Int
        public var chargersPerTransformer: ClosedRange<Int>
        public var ratedKVA: [Double] = [100, 160, 250, 315]
        /// Household load per phase, as a fraction of a phase's rating.
        public var householdFraction: ClosedRange<Double> = 0.05...0.35
        public var ambientC: ClosedRange<Double> = 0...35
        /// Top-oil above ambient, and hot-spot above top-oil, in kelvin.
        public var topOilRiseK: ClosedRange<Double> = 5...35
        public var hotSpotRiseK: ClosedRange<Double> = 2...12
        public var threePhaseShare = 0.1
        public var evPresent = 0.85
        public var v2gAgreed = 0.6
        public var online = 0.97
        /// Hours to departure.
        public var departureH: ClosedRange<Double> = 0.2...14
        public var energyNeededKWh: ClosedRange<Double> = 0...30
        public var balanceLimitKW: ClosedRange<Double>? = nil

        public init(transformers: Int, chargersPerTransformer: ClosedRange<Int>) {
            self.transformers = transformers
            self.chargersPerTransformer = chargersPerTransformer
        }
    }

    public static func snapshot(_ shape: Shape, seed: UInt64, now: Timestamp) -> NeighborhoodSnapshot {
        var random = SplitMix64(seed: seed)
        func draw(_ r: ClosedRange<Double>) -> Double { r.lowerBound + (r.upperBound - r.lowerBound) * random.uniform() }
        var transformers: [TransformerReport] = []
        transformers.reserveCapacity(shape.transformers)
        for t in 0..<shape.transformers {
            let rated = shape.ratedKVA[random.below(shape.ratedKVA.count)]
            let count = shape.chargersPerTransformer.lowerBound + random.below(shape.chargersPerTransformer.count)
            var chargers: [ChargerReport] = []
            chargers.reserveCapacity(count)
            for c in 0..<count {
                let three = random.chance(shape.threePhaseShare)
                let connection: PhaseConnection = three ? .threePhase : .single([Phase.a, .b, .c][random.below(3)])
                let rating = three ? 11.0 : 7.4
                let v2gCharger = random.chance(0.8)
                var ev: EVReport?
                if random.chance(shape.evPresent) {
                    let capacity = [40.0, 60, 77, 100][random.below(4)]
                    let soc = draw(15...98)
                    ev = EVReport(
                        socPercent: soc, energyAvailableKWh: max(0, (soc - 20) / 100 * capacity),
                        energyNeededKWh: min(draw(shape.energyNeededKWh), (100 - soc) / 100 * capacity),
                        departure: random.chance(0.9) ? now + 3600 * draw(shape.departureH) : nil,
                        v2gAgreed: random.chance(shape.v2gAgreed),
                        energyRoomKWh: random.chance(0.3) ? (100 - soc) / 100 * capacity : nil)
                }
                chargers.append(ChargerReport(
                    id: "evse-\(c)", connection: connection, powerKW: ev == nil ? 0 : draw(0...rating),
                    ratedChargeKW: rating, ratedDischargeKW: v2gCharger ? rating : 0, ratedKVA: rating,
                    online: random.chance(shape.online), ev: ev))
            }
            var evPerPhase = SIMD3<Double>.zero
            for charger in chargers where charger.online {
                for phase in charger.connection.phases {
                    evPerPhase[[Phase.a, .b, .c].firstIndex(of: phase)!] += charger.connection.share(of: phase) * charger.powerKW
                }
            }
            let phases = PerPhase<PhaseMeasurement> { phase in
                let i = [Phase.a, .b, .c].firstIndex(of: phase)!
                let household = draw(shape.householdFraction) * rated / 3
                let p = household + evPerPhase[i]
                return PhaseMeasurement(activePowerKW: p, reactivePowerKvar: 0.2 * household, voltageV: 230, currentA: abs(p) * 1000 / 230)
            }
            let ambient = draw(shape.ambientC)
            let topOil = ambient + draw(shape.topOilRiseK)
            transformers.append(TransformerReport(
                id: "tx-\(t)", reportTime: now + (-3 * random.uniform()), ratedKVA: rated, phases: phases,
                thermal: TransformerThermalReport(topOilC: topOil, hotSpotC: topOil + draw(shape.hotSpotRiseK), ambientC: ambient),
                phaseBalanceLimitKW: shape.balanceLimitKW.map { draw($0) }, chargers: chargers))
        }
        return NeighborhoodSnapshot(time: now, transformers: transformers)
    }
}
