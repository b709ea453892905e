@testable import AgentKit
import FoundationEssentials
import GridCore
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite("Operations: status file, Prometheus textfile, sd_notify — no listening port")
struct OperationsTests {
    static let status = AgentStatus(
        agentID: "tx-0042", mode: .safeState, policyVersion: 12, lastCycleAt: .init(secondsSinceEpoch: 1_763_750_000),
        cycleDurationS: 0.0123, alarms: [.init(code: "METER_STALE", message: "meter data 3.2 s old", since: .init(secondsSinceEpoch: 1_763_749_990))],
        neutralCurrentA: 41.7, voltageUnbalancePercent: 1.25, hotSpotC: 71.5, allowedKVA: 212,
        chargers: [.init(id: "evse-01", phase: .single(.a), activePowerKW: -3.5, reactivePowerKvar: 1.2),
                   .init(id: "evse-11", phase: .threePhase, activePowerKW: 11, reactivePowerKvar: 0, online: false)],
        writtenAt: .init(secondsSinceEpoch: 1_763_750_000.5))

    @Test("the status file is replaced atomically and reads back the same")
    func statusRoundTrip() throws {
        let dir = try TemporaryDirectory()
        let file = StatusFile(path: dir.file("status.json"))
        var first = Self.status
        first.mode = nil
        try file.write(first)
        try file.write(Self.status)
        #expect(try file.read() == Self.status)
        #expect(try dir.names() == ["status.json"], "no temporary file may be left behind")
        let text = try String(contentsOfFile: dir.file("status.json"), encoding: .utf8)
        for key in ["\"agent_id\"", "\"mode\" : \"safe_state\"", "\"policy_version\"", "\"vuf_pct\"", "\"neutral_current_a\"", "\"hot_spot_c\"", "\"p_kw\"", "\"phase\" : \"ABC\""] {
            #expect(text.contains(key), "\(key) missing from \(text)")
        }
    }

    @Test("a status that cannot be written is a typed error, not a crash")
    func statusUnwritable() throws {
        let dir = try TemporaryDirectory()
        try Data("x".utf8).write(to: URL(filePath: dir.file("blocker")))
        let error = try #require(throws: LocalOutputError.self) {
            try StatusFile(path: dir.file("blocker/status.json")).write(Self.status)
        }
        #expect(error.label == "output_missing")
        #expect(error.description.contains("blocker/status.json") && error.description.contains("Not a directory"))
        #expect(LocalOutputError.posix("write", path: "/x", errno: ENOSPC).isFull)
        #expect(LocalOutputError.posix("write", path: "/x", errno: EROFS).isPermission)
    }

    @Test("the textfile renders exactly, families with HELP and TYPE, series sorted")
    func exactExposition() {
        var m = AgentMetrics()
        m.cycleDurationS = 0.0125
        m.cyclesTotal = 3_600
        m.tripsTotalByCode = ["TRIP_UV1": 1, "TRIP_OV2": 2]
        m.activeAlarmCodes = ["CACHE_FULL"]
        m.neutralCurrentA = 41.75
        m.hotSpotC = 71
        m.phaseLoadingPercent = PerPhase(a: 92.5, b: 40, c: 31.25)
        m.setpoints = [ChargerSetpoint(chargerID: "evse-02", activePowerKW: -3.7, reactivePowerKvar: 0.5),
                       ChargerSetpoint(chargerID: "evse-01", activePowerKW: 7.4, reactivePowerKvar: 0)]
        m.modbusErrorsByDevice = ["meter": 4]
        m.cacheErrorsByLabel = ["cache_full": 9]
        let expected = """
            # HELP v2g_agent_cycle_duration_seconds Duration of the last control cycle.
            # TYPE v2g_agent_cycle_duration_seconds gauge
            v2g_agent_cycle_duration_seconds 0.0125
            # HELP v2g_agent_cycles_total Control cycles run since the agent started.
            # TYPE v2g_agent_cycles_total counter
            v2g_agent_cycles_total 3600
            # HELP v2g_agent_trips_total Trips (cease to energize) since start, by code.
            # TYPE v2g_agent_trips_total counter
            v2g_agent_trips_total{code="TRIP_OV2"} 2
            v2g_agent_trips_total{code="TRIP_UV1"} 1
            # HELP v2g_agent_alarms_active Alarms in force, by code.
            # TYPE v2g_agent_alarms_active gauge
            v2g_agent_alarms_active{code="CACHE_FULL"} 1
            # HELP v2g_agent_neutral_current_amperes Neutral current |Ia + Ib + Ic| measured at the transformer.
            # TYPE v2g_agent_neutral_current_amperes gauge
            v2g_agent_neutral_current_amperes 41.75
            # HELP v2g_agent_hot_spot_celsius Estimated winding hot-spot temperature (IEC 60076-7).
            # TYPE v2g_agent_hot_spot_celsius gauge
            v2g_agent_hot_spot_celsius 71
            # HELP v2g_agent_phase_loading_percent Loading of each phase, in percent of its rating.
            # TYPE v2g_agent_phase_loading_percent gauge
            v2g_agent_phase_loading_percent{phase="A"} 92.5
            v2g_agent_phase_loading_percent{phase="B"} 40
            v2g_agent_phase_loading_percent{phase="C"} 31.25
            # HELP v2g_agent_charger_setpoint_kw Commanded active power per charger; positive charges, negative discharges.
            # TYPE v2g_agent_charger_setpoint_kw gauge
            v2g_agent_charger_setpoint_kw{charger="evse-01"} 7.4
            v2g_agent_charger_setpoint_kw{charger="evse-02"} -3.7
            # HELP v2g_agent_charger_setpoint_kvar Commanded reactive power per charger; positive injects.
            # TYPE v2g_agent_charger_setpoint_kvar gauge
            v2g_agent_charger_setpoint_kvar{charger="evse-01"} 0
            v2g_agent_charger_setpoint_kvar{charger="evse-02"} 0.5
            # HELP v2g_agent_modbus_errors_total Failed Modbus transactions since start, by device.
            # TYPE v2g_agent_modbus_errors_total counter
            v2g_agent_modbus_errors_total{device="meter"} 4
            # HELP v2g_agent_cache_errors_total Failed cache operations since start, by error.
            # TYPE v2g_agent_cache_errors_total counter
            v2g_agent_cache_errors_total{error="cache_full"} 9

            """
        #expect(PrometheusTextfile.render(m) == expected)
    }

    @Test("label values and numbers are escaped as the exposition format requires", arguments: [
        ("plain", "plain"), ("a\"b", "a\\\"b"), ("back\\slash", "back\\\\slash"), ("two\nlines", "two\\nlines"),
    ])
    func labelEscaping(raw: String, escaped: String) {
        var m = AgentMetrics()
        m.setpoints = [ChargerSetpoint(chargerID: raw, activePowerKW: 1, reactivePowerKvar: 0)]
        #expect(PrometheusTextfile.render(m).contains("v2g_agent_charger_setpoint_kw{charger=\"\(escaped)\"} 1\n"))
    }

    @Test("non-finite and integral values use the format's spelling", arguments: [
        (Double.nan, "NaN"), (Double.infinity, "+Inf"), (-Double.infinity, "-Inf"), (42, "42"), (-0.5, "-0.5"), (1e-7, "1e-07"),
    ])
    func numbers(value: Double, text: String) {
        #expect(Exposition.format(value) == text)
    }

    @Test("the textfile is written atomically, and every line parses")
    func textfileOnDisk() throws {
        let dir = try TemporaryDirectory()
        var m = AgentMetrics()
        m.cyclesTotal = 1
        m.setpoints = [ChargerSetpoint(chargerID: "evse-01", activePowerKW: 2, reactivePowerKvar: 0)]
        let file = PrometheusTextfile(path: dir.file("v2g-agent.prom"))
        try file.write(m)
        m.cyclesTotal = 2
        try file.write(m)
        #expect(try dir.names() == ["v2g-agent.prom"])
        let text = try String(contentsOfFile: dir.file("v2g-agent.prom"), encoding: .utf8)
        #expect(text.hasSuffix("\n"))
        var typed: Set<Substring> = []
        for line in text.split(separator: "\n") {
            if line.hasPrefix("# TYPE ") { typed.insert(line.split(separator: " ")[2]); continue }
            if line.hasPrefix("# HELP ") { continue }
            let match = try #require(line.wholeMatch(of: /([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*"\})? (-?[0-9.e+-]+|NaN|[+-]Inf)/), "\(line)")
            #expect(typed.contains(match.output.1), "sample before its TYPE: \(line)")
        }
        #expect(text.contains("v2g_agent_cycles_total 2\n"))
    }

    @Test("sd_notify datagrams reach a bound socket, on a path and in the abstract namespace", arguments: [false, true])
    func notify(abstract: Bool) throws {
        let dir = try TemporaryDirectory()
        let name = abstract ? "@v2g-test-\(UUID().uuidString)" : dir.file("notify.sock")
        let receiver = try DatagramReceiver(name)
        let notifier = SystemdNotifier(socketPath: name, watchdogUSec: 20_000_000)
        #expect(notifier.watchdogInterval == .seconds(20))
        #expect(notifier.watchdogPingInterval == .seconds(10))

        try notifier.ready(status: "regulating, policy v12")
        try notifier.watchdog()
        try notifier.status("safe state:\nmeter stale")
        try notifier.stopping()
        #expect(receiver.receive() == "READY=1\nSTATUS=regulating, policy v12")
        #expect(receiver.receive() == "WATCHDOG=1")
        #expect(receiver.receive() == "STATUS=safe state: meter stale")
        #expect(receiver.receive() == "STOPPING=1")
        #expect(receiver.receive() == nil)
    }

    @Test("the watchdog is pinged while the loop shows life, and not while one cycle has run past the limit")
    func watchdogFollowsTheLoop() throws {
        let dir = try TemporaryDirectory()
        let receiver = try DatagramReceiver(dir.file("notify.sock"))
        var config = AgentConfig(agentID: "tx-1", meter: MeterConfig(transport: .tcp(.init(host: "127.0.0.1", port: 1, unitID: 1))))
        config.statusFile = dir.file("status.json")
        config.metricsTextfile = dir.file("agent.prom")
        let operations = AgentOperations(
            config: config, logger: CacheFixtures.logger, notifier: SystemdNotifier(socketPath: dir.file("notify.sock"), watchdogUSec: 20_000_000))
        #expect(operations.pingWatchdog(stallLimit: .seconds(20)))  // before the first cycle
        operations.heartbeat.cycleStarted(at: .now - .seconds(5))
        #expect(operations.pingWatchdog(stallLimit: .seconds(20)))  // a slow cycle is still a live loop
        operations.heartbeat.cycleStarted(at: .now - .seconds(25))
        #expect(!operations.pingWatchdog(stallLimit: .seconds(20)))  // stuck: let systemd restart the agent
        operations.heartbeat.cycleEnded()
        #expect(operations.pingWatchdog(stallLimit: .seconds(20)))
        #expect([receiver.receive(), receiver.receive(), receiver.receive(), receiver.receive()] == ["WATCHDOG=1", "WATCHDOG=1", "WATCHDOG=1", nil])
    }

    @Test("without NOTIFY_SOCKET nothing is sent; a dead socket is a typed error")
    func notifyOffAndDead() throws {
        let off = SystemdNotifier(socketPath: nil, watchdogUSec: 0)
        try off.ready()
        #expect(off.socketPath == nil && off.watchdogInterval == nil && off.watchdogPingInterval == nil)
        let dir = try TemporaryDirectory()
        let error = try #require(throws: LocalOutputError.self) {
            try SystemdNotifier(socketPath: dir.file("nobody-listens.sock")).watchdog()
        }
        #expect(error.label == "output_missing")
    }
}

/// A datagram socket bound to `name`, as systemd's would be.
final class DatagramReceiver {
    let fd: Int32

    init(_ name: String) throws {
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        try #require(fd >= 0)
        let address = try UnixDatagramAddress(name)
        let bound = address.withSockaddr { bind(fd, $0, $1) }
        try #require(bound == 0, "bind \(name): errno \(errno)")
    }

    deinit { close(fd) }

    /// The next queued datagram, or nil when none is waiting.
    func receive() -> String? {
        var buffer = [UInt8](repeating: 0, count: 4_096)
        let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
        return count < 0 ? nil : String(decoding: buffer[..<count], as: UTF8.self)
    }
}
