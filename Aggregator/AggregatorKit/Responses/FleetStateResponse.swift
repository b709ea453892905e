public import GridCore
import MeshPlanner

/// `GET /v1/fleet/state`: the live state board, one summary per agent by id (docs/aggregator.md). Property names are
/// spelt for `ResponseJSON`'s snake_case (`pKw` → `p_kw`, `energyAvailableKwh` → `energy_available_kwh`).
public struct FleetStateResponse: Encodable, Sendable, Hashable {
    /// When the answer was made (the aggregator's clock).
    public var time: String
    /// The oldest report's age; absent with no report.
    public var oldestAgeS: Double?
    public var agents: [Agent]

    public struct Agent: Encodable, Sendable, Hashable {
        public var agentId: String
        public var sequence: Int
        public var mode: String?
        public var envelopeSequence: Int?
        /// The agent's cycle time and when the report arrived, RFC 3339.
        public var reportTime: String
        public var receivedAt: String
        /// now − report time: how old the aggregator's view of this transformer is.
        public var ageS: Double
        /// The meter's active power per phase ("A", "B", "C"), + = import.
        public var pKw: [String: Double]
        public var hotSpotC: Double
        public var hotSpotLimitC: Double
        public var chargers: Int
        public var chargersOnline: Int
        public var evs: Int
        /// Σ over the EVs: energy above their minimum SoC, and what their drivers still need.
        public var evEnergyAvailableKwh: Double
        public var evEnergyNeededKwh: Double
    }

    public init(_ entries: [FleetStateBoard.Entry], now: Timestamp) {
        time = now.rfc3339
        agents = entries.map { entry in
            let report = entry.report
            let evs = report.chargers.compactMap(\.ev)
            return Agent(
                agentId: report.id, sequence: entry.sequence, mode: entry.mode?.rawValue, envelopeSequence: entry.envelopeSequence,
                reportTime: report.reportTime.rfc3339, receivedAt: entry.receivedAt.rfc3339, ageS: Self.milli(entry.ageS(at: now)),
                pKw: Dictionary(uniqueKeysWithValues: Phase.allCases.map { ($0.rawValue, report.phases[$0].activePowerKW) }),
                hotSpotC: report.thermal.hotSpotC, hotSpotLimitC: report.thermal.hotSpotLimitC,
                chargers: report.chargers.count, chargersOnline: report.chargers.count(where: \.online), evs: evs.count,
                evEnergyAvailableKwh: Self.milli(evs.reduce(0) { $0 + $1.energyAvailableKWh }),
                evEnergyNeededKwh: Self.milli(evs.reduce(0) { $0 + $1.energyNeededKWh }))
        }
        oldestAgeS = agents.map(\.ageS).max()
    }

    /// Rounded to the thousandth: the figures are for people and dashboards.
    static func milli(_ value: Double) -> Double { (value * 1000).rounded() / 1000 }
}
