@testable import AgentKit
import Foundation
import GridCore
import Logging
import ServiceLifecycle
import Synchronization
import Testing

/// The daemon's services, assembled as `v2g-agent run` assembles them, against a Modbus server that accepts every
/// connection and never answers a request, a real mutual-TLS aggregator peer and a real notify socket.
@Suite("A hung Modbus device slows the cycle and nothing else")
struct HungDeviceTests {
    @Test("status file, uplink and watchdog keep their cadence while every cycle waits out its Modbus timeouts; shutdown is clean")
    func silentDevice() async throws {
        let dir = try TemporaryDirectory()
        let silent = try SilentTCPServer()
        let ca = try await UplinkFixtures.pki(in: dir)
        let (aggregator, aggregatorPort) = try await UplinkFixtures.scriptedServer(in: dir, tlsCA: ca)
        let notifications = try DatagramReceiver(dir.file("notify.sock"))
        // Two devices on the silent server, retried every cycle. SunSpec discovery tries three base addresses, each
        // waiting out the 1 s response timeout: a cycle takes about 6 s, twelve times the status period. The margins
        // below are wide (a gap must stay under half a cycle) so that a loaded CI machine cannot fail a sound daemon,
        // while a status file or uplink tied to the cycle still fails them by seconds.
        let text = """
            {
              "agent_id": "tx-017", "cycle_period_s": 0.5, "state_directory": "\(dir.path)",
              "status_file": "\(dir.file("status.json"))", "metrics_textfile": "\(dir.file("agent.prom"))",
              "modbus": {"response_timeout_s": 1.0, "reconnect_initial_s": 0.1, "reconnect_max_s": 0.1},
              "meter": {"transport": {"tcp": {"host": "127.0.0.1", "port": \(silent.port), "unit_id": 1}}},
              "chargers": [
                {"id": "c1", "phase": "A", "transport": {"tcp": {"host": "127.0.0.1", "port": \(silent.port), "unit_id": 2}}, "rated_charge_kw": 7.4}
              ],
              "uplink": {"base_url": "https://127.0.0.1:\(aggregatorPort)", "ca_file": "\(ca)/ca.crt",
                         "cert_file": "\(ca)/agents/tx-017.crt", "key_file": "\(ca)/agents/tx-017.key", "batch_interval_s": 1}
            }
            """
        let config = try AgentConfig.parse(Data(text.utf8), path: "agent.json").config
        let daemon = AgentDaemon(
            config: config, notifier: SystemdNotifier(socketPath: dir.file("notify.sock"), watchdogUSec: 30_000_000),
            statusInterval: .milliseconds(500), logger: UplinkFixtures.logger)
        #expect(daemon.uplink != nil)
        let group = ServiceGroup(configuration: .init(services: daemon.services, logger: UplinkFixtures.logger))

        var statusWrites: [Double] = []
        var longestCycleS = 0.0
        var uplinkWakes: [Double] = []
        var acknowledged = 0
        var pings: [Double] = []
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            // From the first status write (the agent is up), twelve seconds of watching.
            let started = ContinuousClock.now
            while (try? StatusFile(path: config.statusFile).read()) == nil, ContinuousClock.now < started + .seconds(60) {
                while notifications.receive() != nil {}
                try await Task.sleep(for: .milliseconds(50))
            }
            let end = ContinuousClock.now + .seconds(12)
            while ContinuousClock.now < end {
                if let status = try? StatusFile(path: config.statusFile).read() {
                    if statusWrites.last != status.writtenAt.secondsSinceEpoch { statusWrites.append(status.writtenAt.secondsSinceEpoch) }
                    longestCycleS = max(longestCycleS, status.cycleDurationS ?? 0)
                }
                if let uplink = daemon.operations.uplinkStatus, let wake = uplink.updatedAt?.secondsSinceEpoch {
                    if uplinkWakes.last != wake { uplinkWakes.append(wake) }
                    acknowledged = uplink.framesAcknowledged
                }
                while let message = notifications.receive() {
                    if message == "WATCHDOG=1" { pings.append(Date().timeIntervalSince1970) }
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()  // throws if a service ended with an error
        }
        daemon.stop()

        #expect(longestCycleS >= 4, "the device must really hold the cycle up for this test to mean anything (\(longestCycleS) s)")
        #expect(statusWrites.count >= 8, "\(statusWrites.count) status writes in 12 s")
        #expect(Self.longestGap(statusWrites) < 2.5, "status writes: \(Self.gaps(statusWrites)); longest cycle \(longestCycleS) s")
        #expect(uplinkWakes.count >= 4 && acknowledged >= 1, "\(uplinkWakes.count) uplink wakes, \(acknowledged) frames acknowledged")
        #expect(Self.longestGap(uplinkWakes) < 3, "uplink wakes: \(Self.gaps(uplinkWakes)); longest cycle \(longestCycleS) s")
        // Read every 0.1 s, so each time is up to 0.1 s late.
        #expect(pings.count >= 8 && Self.longestGap(pings) < 2.5, "watchdog pings: \(Self.gaps(pings)); longest cycle \(longestCycleS) s")
        // The state reporter, assembled by the daemon, posted the cycles' reports over the same mutual TLS. It sends
        // only a report no post has taken yet, one per finished cycle, and a cycle here takes six seconds.
        let reports = try dir.names().filter { $0.hasPrefix("state-") }
        #expect(reports.count >= 1, "state reports received by the aggregator peer: \(reports)")
        withExtendedLifetime((silent, aggregator)) {}
    }

    static func gaps(_ times: [Double]) -> [Double] {
        zip(times.dropFirst(), times).map { (($0 - $1) * 100).rounded() / 100 }
    }

    static func longestGap(_ times: [Double]) -> Double { gaps(times).max() ?? .infinity }
}

/// A TCP server on loopback that accepts every connection and never reads or writes: a Modbus device that hangs.
final class SilentTCPServer: Sendable {
    let port: Int
    private let listener: Int32
    private let accepted: AcceptedBox

    init() throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, length) == 0 && getsockname(listener, $0, &length) == 0 }
        }
        guard bound, listen(listener, 16) == 0 else { throw UplinkTestError(message: "silent server: \(String(cString: strerror(errno)))") }
        let accepted = AcceptedBox()
        self.listener = listener
        self.accepted = accepted
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread {
            while true {
                let connection = accept(listener, nil, nil)
                if connection < 0 { return }  // the listener was shut down
                accepted.append(connection)
            }
        }.start()
    }

    deinit {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        for connection in accepted.all { close(connection) }
    }
}

/// The connections the silent server holds open.
private final class AcceptedBox: Sendable {
    private let fds = Mutex<[Int32]>([])
    func append(_ fd: Int32) { fds.withLock { $0.append(fd) } }
    var all: [Int32] { fds.withLock { $0 } }
}
