import AgentKit
import AggregatorKit
import GridCore
import Testing

/// The agent's policy reports, exactly as it encodes them, read by the aggregator's parser: the two sides were written
/// apart, and a report the aggregator refuses holds a rollout stage forever.
@Suite("Policy report: the agent's body, the aggregator's reader")
struct PolicyReportContractTests {
    static let at = Timestamp(secondsSinceEpoch: 1_752_599_031)

    @Test("applied (code and reason empty), rejected and reverted are taken with their fields")
    func agentBodiesAreRead() throws {
        let applied = AgentKit.PolicyReport(version: 1, result: .applied, health: .init(alarms: ["EV_DATA_INVALID:evse-1"]), at: Self.at)
        let read = try AggregatorKit.PolicyReport(parsing: applied.body())
        #expect(read.version == 1 && read.result == .applied && read.code == nil && read.reason == nil)
        #expect(read.health.alarms == ["EV_DATA_INVALID:evse-1"] && read.at == Self.at.rfc3339)

        let reverted = AgentKit.PolicyReport(
            version: 2, result: .reverted, code: "TRIP_OV1", reason: "version 2 reverted to version 1: OV1 tripped",
            health: .init(trips: 1, safeStateS: 4.5), at: Self.at)
        let back = try AggregatorKit.PolicyReport(parsing: reverted.body())
        #expect(back.result == .reverted && back.code == "TRIP_OV1" && back.reason == "version 2 reverted to version 1: OV1 tripped")
        #expect(back.health.trips == 1 && back.health.safeStateS == 4.5)

        let rejected = AgentKit.PolicyReport(version: 3, result: .rejected, code: "OUT_OF_RANGE", reason: "ev.minimum_soc_pct = 150", at: Self.at)
        #expect(try AggregatorKit.PolicyReport(parsing: rejected.body()).code == "OUT_OF_RANGE")
    }

    @Test("a rejection still needs its code: empty is none")
    func rejectedWithoutCode() {
        let report = AgentKit.PolicyReport(version: 3, result: .rejected, at: Self.at)
        #expect(throws: (any Error).self) { try AggregatorKit.PolicyReport(parsing: report.body()) }
    }

    @Test("alarms keyed per device are taken, and an agent with many in force is not refused for it")
    func manyDeviceAlarms() throws {
        let alarms = (1...80).map { "SETPOINT_NOT_FOLLOWED:evse \($0)" } + ["MODBUS_TIMEOUT:meter"]
        let report = AgentKit.PolicyReport(version: 4, result: .applied, health: .init(alarms: alarms), at: Self.at)
        let read = try AggregatorKit.PolicyReport(parsing: report.body())
        #expect(read.health.alarms.count == 64 && read.health.alarms.first == "SETPOINT_NOT_FOLLOWED:evse 1")
        let garbage = AgentKit.PolicyReport(version: 4, result: .applied, health: .init(alarms: ["setpoint:x", "A:\u{7}"]), at: Self.at)
        #expect(throws: (any Error).self) { try AggregatorKit.PolicyReport(parsing: garbage.body()) }
    }
}
