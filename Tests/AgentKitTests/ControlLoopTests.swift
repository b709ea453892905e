@testable import AgentKit
import GridCore
import Logging
import Testing

/// A field in memory: what the loop reads, and every write it makes.
final class ScriptedField: FieldBus {
    var reading: FieldReading
    var writes: [[ChargerSetpoint]] = []
    var failingChargers: Set<String> = []

    init(reading: FieldReading) { self.reading = reading }

    func poll(now: Timestamp) -> FieldReading {
        var copy = reading
        copy.inputs.meter?.time = now
        return copy
    }

    func write(_ setpoints: [ChargerSetpoint], reversionTimeoutS: Double, now: Timestamp) -> FieldWriteResult {
        writes.append(setpoints)
        let failed = Set(setpoints.map(\.chargerID)).intersection(failingChargers)
        return FieldWriteResult(failedChargerIDs: failed, alarms: failed.map { FieldAlarm(code: "WRITE_FAILED", device: $0, message: "scripted") })
    }
}

@Suite("Control loop: poll, plan, write, remember")
struct ControlLoopTests {
    static let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    static func field(evKW: Double = 0) -> ScriptedField {
        let volts = PerPhase(repeating: 230.0)
        let meter = MeterReading(
            time: Timestamp(secondsSinceEpoch: 0), voltageV: volts, currentA: PerPhase(repeating: 40),
            activePowerKW: PerPhase(a: 20, b: 5, c: 5), reactivePowerKvar: PerPhase(repeating: 1), frequencyHz: 60)
        let chargers = ["a1", "b1"].enumerated().map { i, id in
            ChargerState(
                id: id, connection: .single(i == 0 ? .a : .b), ratedChargeKW: 7.4, ratedDischargeKW: 7.4, ratedKVA: 7.4,
                measuredKW: evKW, ev: EVState(socPercent: 60, batteryTempC: 25, capacityKWh: 60, requestedKW: 7))
        }
        return ScriptedField(reading: FieldReading(inputs: CycleInputs(meter: meter, ambientC: 20, chargers: chargers)))
    }

    static func loop(_ field: ScriptedField, cache: GuardedCache = GuardedCache(InMemoryAgentCache(), logger: logger)) -> ControlLoop {
        ControlLoop(field: field, cache: cache, logger: logger)
    }

    @Test("a write that is not confirmed is written again next cycle")
    func failedWriteRetried() {
        let field = Self.field()
        field.failingChargers = ["a1"]
        let loop = Self.loop(field)
        loop.runCycle(now: Timestamp(secondsSinceEpoch: 100))
        #expect(loop.state.written["a1"] == nil)
        #expect(loop.state.written["b1"] != nil)
        #expect(loop.activeAlarmCodes.contains("WRITE_FAILED:a1"))
        field.failingChargers = []
        loop.runCycle(now: Timestamp(secondsSinceEpoch: 101))
        #expect(field.writes.last?.contains { $0.chargerID == "a1" } == true)
        #expect(loop.state.written["a1"] != nil)
    }

    @Test("shutdown stops every discharging charger and nothing else")
    func shutdownStopsDischarge() {
        let field = Self.field()
        let loop = Self.loop(field)
        var policy = ControlPolicy()
        policy.balancing.neutralWeight = 50
        policy.balancing.horizonEnabled = false  // one cycle's own balancing, which discharges a1 against phase A
        policy.write.rampKWPerS = 1_000
        loop.adopt(policy)
        loop.runCycle(now: Timestamp(secondsSinceEpoch: 100))
        let discharging = loop.lastOutcome!.setpoints.filter { $0.activePowerKW < 0 }.map(\.chargerID)
        #expect(!discharging.isEmpty, "heavy phase A should pull a1 into discharge")
        let before = field.writes.count
        loop.shutDown(now: Timestamp(secondsSinceEpoch: 101))
        #expect(field.writes.count == before + 1)
        #expect(field.writes.last!.map(\.chargerID) == discharging)
        #expect(field.writes.last!.allSatisfy { $0.activePowerKW == 0 && $0.reactivePowerKvar == 0 })
    }

    @Test("an alarm is logged once when raised and once when cleared")
    func alarmsRecordedOnChange() {
        let field = Self.field()
        let cache = GuardedCache(InMemoryAgentCache(), logger: Self.logger)
        let loop = Self.loop(field, cache: cache)
        field.failingChargers = ["b1"]
        for t in 0..<3 { loop.runCycle(now: Timestamp(secondsSinceEpoch: 100 + Double(t))) }
        field.failingChargers = []
        for t in 3..<5 { loop.runCycle(now: Timestamp(secondsSinceEpoch: 100 + Double(t))) }
        let events = cache.recentEvents(limit: 50)
        #expect(events.filter { $0.code == "WRITE_FAILED:b1" }.count == 1)
        #expect(events.filter { $0.code == "CLEARED" && $0.message == "WRITE_FAILED:b1" }.count == 1)
    }

    @Test("a restart resumes the cached state and rewrites every charger")
    func restartResumes() {
        let field = Self.field()
        let cache = GuardedCache(InMemoryAgentCache(), logger: Self.logger)
        let first = Self.loop(field, cache: cache)
        for t in 0..<5 { first.runCycle(now: Timestamp(secondsSinceEpoch: 100 + Double(t))) }
        let thermal = first.state.thermal
        let second = Self.loop(field, cache: cache)
        #expect(second.state.thermal == thermal)
        #expect(second.state.written.isEmpty)
        second.runCycle(now: Timestamp(secondsSinceEpoch: 106))
        #expect(Set(field.writes.last!.map(\.chargerID)) == ["a1", "b1"])
    }

    static func delivery(_ version: Int, ratedKVA: Double = 100, source: String = "test") -> PolicyInbox.Delivery {
        .init(policy: CacheFixtures.policy(version: version, ratedKVA: ratedKVA), bundleBytes: [UInt8(truncatingIfNeeded: version)],
              receivedAt: Timestamp(secondsSinceEpoch: 1), source: source)
    }

    @Test("a delivered policy is taken only when the next cycle starts, and only once the cache has accepted it")
    func inboxBetweenCycles() throws {
        let cache = GuardedCache(InMemoryAgentCache(), logger: Self.logger)
        let loop = ControlLoop(field: Self.field(), cache: cache, logger: Self.logger)
        loop.runCycle(now: Timestamp(secondsSinceEpoch: 100))
        loop.inbox.deliver(Self.delivery(3, ratedKVA: 315))
        // Delivered, not yet adopted: the loop is between cycles, and nothing reads the inbox but the next cycle.
        #expect(loop.policy.version != 3)
        #expect(try cache.cache.activePolicy() == nil)
        let outcome = loop.runCycle(now: Timestamp(secondsSinceEpoch: 101))
        #expect(loop.policy.version == 3 && loop.policy.transformer.ratedKVA == 315)
        #expect(try cache.cache.activePolicy()?.version == 3)
        #expect(outcome.setpoints.count == 2)
        #expect(cache.recentEvents(limit: 10).contains { $0.code == "POLICY_ADOPTED" && $0.message == "version 3 from test" })
    }

    @Test("through the inbox, a lower or equal version and an out-of-range policy are refused and the loop keeps its policy")
    func inboxRefusals() throws {
        let cache = GuardedCache(InMemoryAgentCache(), logger: Self.logger)
        let loop = ControlLoop(field: Self.field(), cache: cache, logger: Self.logger)
        loop.inbox.deliver(Self.delivery(5, ratedKVA: 400))
        loop.runCycle(now: Timestamp(secondsSinceEpoch: 100))
        #expect(loop.policy.version == 5)
        var outOfRange = CacheFixtures.policy(version: 9)
        outOfRange.thermal.hotSpotLimitC = 300
        for delivery in [Self.delivery(5, ratedKVA: 160), Self.delivery(4, ratedKVA: 160),
                         .init(policy: outOfRange, bundleBytes: [], receivedAt: .init(secondsSinceEpoch: 2), source: "bad")] {
            loop.inbox.deliver(delivery)
        }
        loop.runCycle(now: Timestamp(secondsSinceEpoch: 101))
        #expect(loop.policy.version == 5 && loop.policy.transformer.ratedKVA == 400)
        #expect(try cache.cache.activePolicy()?.policy.transformer.ratedKVA == 400)
        let refusals = cache.recentEvents(limit: 20).filter { $0.code == "POLICY_REFUSED" }.map(\.message)
        #expect(refusals.count == 3, "\(refusals)")
        #expect(refusals.contains { $0.contains("policy version 5 refused: it is equal to version 5") })
        #expect(refusals.contains { $0.contains("policy version 4 refused: it is below version 5") })
        #expect(refusals.contains { $0.contains("thermal.hot_spot_limit_c") })
    }

    @Test("several deliveries between two cycles are taken in order: the newest wins, the one before is last-known-good")
    func inboxOrder() throws {
        let cache = GuardedCache(InMemoryAgentCache(), logger: Self.logger)
        let loop = ControlLoop(field: Self.field(), cache: cache, logger: Self.logger)
        for version in [1, 2, 3] { loop.inbox.deliver(Self.delivery(version)) }
        loop.runCycle(now: Timestamp(secondsSinceEpoch: 100))
        #expect(loop.policy.version == 3)
        #expect(try cache.cache.lastKnownGoodPolicy()?.version == 2)
    }
}

@Suite("Control loop: garbage on an EV's own points is an alarm")
struct EVDataAlarmTests {
    @Test("a garbage SoC, battery temperature or V2G flag raises EV_DATA_INVALID for that charger, naming the point")
    func garbageEVPoints() {
        let field = ControlLoopTests.field()
        field.reading.inputs.chargers[0].ev?.socPercent = .nan
        field.reading.inputs.chargers[1].ev?.batteryTempC = 3276.7
        // What ModbusFieldBus reports for a V2GAgr that is neither 0 nor 1.
        field.reading.alarms = [FieldAlarm(code: "EV_DATA_INVALID", device: "b1", message: "V2G agreement (64901 V2GAgr) reads 65534")]
        let loop = ControlLoopTests.loop(field)
        loop.runCycle(now: Timestamp(secondsSinceEpoch: 100))
        #expect(loop.activeAlarmCodes.contains("EV_DATA_INVALID:a1"))
        #expect(loop.activeAlarmCodes.contains("EV_DATA_INVALID:b1"))
        let events = loop.cache.recentEvents(limit: 50)
        let b1 = events.first { $0.code == "EV_DATA_INVALID:b1" }?.message ?? ""
        #expect(b1.contains("BatTmp") && b1.contains("V2GAgr"))
        #expect(events.first { $0.code == "EV_DATA_INVALID:a1" }?.message.contains("SoC") == true)
        // Good data again: the alarm clears.
        field.reading.inputs.chargers[0].ev?.socPercent = 60
        loop.runCycle(now: Timestamp(secondsSinceEpoch: 101))
        #expect(!loop.activeAlarmCodes.contains("EV_DATA_INVALID:a1"))
    }
}
