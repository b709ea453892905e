@testable import AgentKit
import Foundation
import GridCore
import PolicyTrust

/// The agent's policy path as the daemon assembles it (a real SQLite cache, the pinned root in a file, the fetcher
/// over mutual TLS to the scripted aggregator, the control loop on a scripted field), driven by hand: one fetch round,
/// one cycle, at the frozen time.
final class PolicyBench {
    let directory: TemporaryDirectory
    let peer: PolicyPeer
    let ca: String
    let config: AgentConfig
    let cache: GuardedCache
    let inbox = PolicyInbox()
    let watch: PolicyWatch
    let trust: TrustAnchor
    let fetcher: PolicyFetcher
    let field: LiveField
    let loop: ControlLoop
    private(set) var now = PolicyFixture.now

    /// `pinned` is the root file's content; `probationS` nil: no probation.
    init(pinned: [UInt8], agentID: String = PolicyFixture.agentID, probationS: Double? = 600, directory: TemporaryDirectory? = nil) async throws {
        let directory = try directory ?? TemporaryDirectory()
        self.directory = directory
        ca = try await PolicyPKI.shared.ca()
        peer = try await PolicyPeer.start(state: directory.file("peer"), ca: ca)
        try Data(pinned).write(to: URL(fileURLWithPath: directory.file("root.json")))
        var config = AgentConfig(agentID: agentID, meter: MeterConfig(transport: .tcp(.init(host: "127.0.0.1"))))
        config.stateDirectory = directory.path
        config.trust = TrustConfig(rootFile: directory.file("root.json"), groups: ["feeder-12"])
        var fetch = PolicyFetchConfig(baseURL: peer.baseURL)
        fetch.caFile = "\(ca)/ca.crt"
        fetch.certFile = "\(ca)/agents/\(agentID).crt"
        fetch.keyFile = "\(ca)/agents/\(agentID).key"
        fetch.connectTimeoutS = 5
        fetch.totalTimeoutS = 10
        if let probationS { fetch.probationS = probationS }
        config.policyFetch = fetch
        _ = try config.validate()
        self.config = config
        cache = GuardedCache(path: config.cachePath, logger: PolicyFixture.logger)
        watch = PolicyWatch(cache: cache, trustConfigured: true)
        trust = TrustAnchor(config: config.trust!, cache: cache, watch: watch, logger: PolicyFixture.logger)
        fetcher = try PolicyFetcher(
            settings: config.policyFetchSettings!, agent: AgentIdentity(id: agentID, groups: ["feeder-12"]), trust: trust, cache: cache,
            inbox: inbox, watch: watch, clock: PolicyFixture.frozen, logger: PolicyFixture.logger)
        field = LiveField(ControlLoopTests.field())
        loop = ControlLoop(field: field, cache: cache, inbox: inbox, policyWatch: watch, logger: PolicyFixture.logger)
        loop.setProbation(windowS: probationS)
    }

    /// One fetch round (roots, bundle, reports).
    @discardableResult
    func round() async -> PolicyFetcher.Round { await fetcher.round() }

    /// `count` cycles, one second apart.
    func cycles(_ count: Int = 1) {
        for _ in 0..<count {
            loop.runCycle(now: now)
            now = now + 1
        }
    }

    /// The event log, oldest first.
    var events: [CacheEvent] { cache.recentEvents(limit: 500).reversed() }

    /// The reports still waiting in the cache, decoded.
    var waitingReports: [PolicyReport] {
        cache.pendingReports(limit: 100).compactMap { try? JSONDecoder().decode(PolicyReport.self, from: Data($0.body)) }
    }
}

/// The scripted field with a meter that lives: each poll moves the voltages by a few hundredths of a volt, as a real
/// meter's readings do, so that protection does not take it for a frozen one (identical samples: the safe state).
final class LiveField: FieldBus {
    private let scripted: ScriptedField
    private var polls = 0

    init(_ scripted: ScriptedField) { self.scripted = scripted }

    /// What the next polls read; set `inputs.meter` to nil for a silent meter.
    var reading: FieldReading {
        get { scripted.reading }
        set { scripted.reading = newValue }
    }

    func poll(now: Timestamp) -> FieldReading {
        polls += 1
        var reading = scripted.poll(now: now)
        let wobble = 0.01 * Double(polls % 5)
        if let meter = reading.inputs.meter {
            reading.inputs.meter?.voltageV = PerPhase { meter.voltageV[$0] + wobble }
        }
        return reading
    }

    func write(_ setpoints: [ChargerSetpoint], reversionTimeoutS: Double, now: Timestamp) -> FieldWriteResult {
        scripted.write(setpoints, reversionTimeoutS: reversionTimeoutS, now: now)
    }
}
