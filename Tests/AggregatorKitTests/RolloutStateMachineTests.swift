import AggregatorKit
import Testing

/// The rollout rules, event by event, on a frozen clock (milliseconds from 0).
@Suite("Rollout state machine")
struct RolloutStateMachineTests {
    typealias F = RolloutFixture

    @Test("the canary opens at start and is the only stage offered")
    func canaryFirst() {
        let (machine, actions) = RolloutStateMachine.start(id: 1, version: 7, plan: F.plan(agents: 10, canary: 2), by: "j.doe", nowMs: 0)
        #expect(actions == [.stageOpened(stage: 0, agents: ["tx-001", "tx-002"])])
        #expect(machine.rollout.state == .running && machine.rollout.stage == 0)
        #expect(machine.offered == ["tx-001", "tx-002"])
        #expect(machine.rollout.agents.allSatisfy { $0.status == .pending })
    }

    @Test("canary → waves → done: each stage after every agent applied and the soak passed; every agent ends applied")
    func happyPath() throws {
        var machine = F.start(F.plan(agents: 10, canary: 1, waves: 3, soakS: 60))
        var now: Int64 = 1_000
        #expect(try machine.applyStage(at: now).withoutSaves == [.soakStarted(stage: 0, endsAtMs: 61_000), .wakeAt(61_000)])
        #expect(machine.tick(nowMs: 60_999).withoutSaves == [.wakeAt(61_000)])
        #expect(machine.rollout.stage == 0 && machine.offered == ["tx-001"])
        #expect(machine.tick(nowMs: 61_000).opened == [1])
        #expect(machine.offered.count == 4)
        for stage in 1...3 {
            now += 100_000
            #expect(machine.rollout.stage == stage)
            _ = try machine.applyStage(at: now)
            let actions = machine.tick(nowMs: now + 60_000)
            #expect(actions.withoutSaves.contains(.stagePassed(stage: stage)))
            if stage < 3 { #expect(actions.opened == [stage + 1]) } else { #expect(actions.withoutSaves.last == .completed) }
        }
        #expect(machine.rollout.state == .done)
        #expect(machine.rollout.agents.allSatisfy { $0.status == .applied })
        #expect(machine.offered.count == 10)
        #expect(machine.tick(nowMs: now + 1_000_000).isEmpty)
    }

    @Test("a wave count that does not divide the fleet still ends with every agent applied", arguments: [(10, 1, 4), (23, 3, 7), (7, 2, 10)])
    func unevenDivision(agents: Int, canary: Int, waves: Int) throws {
        var machine = F.start(F.plan(agents: agents, canary: canary, waves: waves, soakS: 0))
        var now: Int64 = 0
        var stagesSeen = [0]
        while machine.rollout.state == .running {
            now += 10
            stagesSeen += try machine.applyStage(at: now).opened
        }
        #expect(machine.rollout.state == .done)
        #expect(stagesSeen == Array(0..<machine.rollout.plan.stages.count))
        #expect(machine.rollout.counts.applied == agents)
        #expect(Set(machine.rollout.agents.map(\.agentID)) == Set(F.agents(agents)))
    }

    @Test("the soak runs from the last agent's apply, not from the first")
    func soakFromLastApply() throws {
        var machine = F.start(F.plan(agents: 4, canary: 2, waves: 1, soakS: 100))
        _ = machine.fetched(by: "tx-001", nowMs: 0)
        _ = machine.fetched(by: "tx-002", nowMs: 0)
        _ = try machine.report(F.applied(), from: "tx-001", nowMs: 10_000)
        #expect(machine.rollout.soakStartedAtMs == nil)
        _ = try machine.report(F.applied(), from: "tx-002", nowMs: 50_000)
        #expect(machine.rollout.soakEndsAtMs == 150_000)
        #expect(machine.tick(nowMs: 110_000).opened.isEmpty)
        #expect(machine.tick(nowMs: 150_000).opened == [1])
    }

    // MARK: Halts

    enum Failure: String, CaseIterable { case rejected, reverted, trips, safeState, alarm }

    static func report(_ failure: Failure) -> PolicyReport {
        switch failure {
        case .rejected: F.rejected()
        case .reverted: F.reverted()
        case .trips: F.applied(trips: 2)
        case .safeState: F.applied(safeStateS: 30)
        case .alarm: F.applied(alarms: ["HOT_SPOT_HIGH"])
        }
    }

    @Test("at the canary, one reject, revert, trip, safe state or alarm halts it (max_failures 0); no wave ever opens", arguments: Failure.allCases)
    func haltAtCanary(failure: Failure) throws {
        var machine = F.start(F.plan(agents: 20, canary: 2, waves: 3, soakS: 60))
        _ = machine.fetched(by: "tx-001", nowMs: 0)
        _ = try machine.report(F.applied(), from: "tx-001", nowMs: 1_000)
        _ = machine.fetched(by: "tx-002", nowMs: 0)
        let actions = try machine.report(Self.report(failure), from: "tx-002", nowMs: 2_000)
        #expect(actions.halted)
        #expect(machine.rollout.state == .halted && machine.rollout.stage == 0)
        let reasons = machine.rollout.haltReasons
        #expect(reasons.count == 2, "\(reasons)")
        switch failure {
        case .rejected: #expect(reasons[0] == "tx-002 rejected the bundle (OUT_OF_RANGE): thermal.hot_spot_limit_c = 130 is outside 60…120")
        case .reverted: #expect(reasons[0] == "tx-002 reverted to its last-known-good: PROBATION_TRIP: protection tripped 20 s after apply (1 protection trip)")
        case .trips: #expect(reasons[0] == "tx-002 applied it, then reported 2 protection trips")
        case .safeState: #expect(reasons[0] == "tx-002 applied it, then reported 30 s in the safe state")
        case .alarm: #expect(reasons[0] == "tx-002 applied it, then reported alarm HOT_SPOT_HIGH")
        }
        #expect(reasons[1] == "1 failure counted against the canary, more than max_failures 0")
        // Time passes, the other canary agent is fine: nothing opens, nobody new is offered the bundle.
        #expect(machine.tick(nowMs: 10_000_000).isEmpty)
        #expect(machine.rollout.state == .halted && machine.rollout.stage == 0)
        #expect(machine.offered == ["tx-001", "tx-002"])
        #expect(throws: RolloutCommandError.self) { try machine.report(F.applied(), from: "tx-005", nowMs: 20_000_000) }
        #expect(throws: RolloutCommandError.self) { try machine.resume(nowMs: 20_000_000) }
    }

    @Test("at a later wave, failures halt it there: the waves after it never open", arguments: Failure.allCases)
    func haltAtLaterWave(failure: Failure) throws {
        var machine = F.start(F.plan(agents: 13, canary: 1, waves: 4, soakS: 0))
        _ = try machine.applyStage(at: 10)  // canary
        _ = try machine.applyStage(at: 20)  // wave 1
        #expect(machine.rollout.stage == 2)
        let wave2 = machine.rollout.plan.stages[2]
        _ = machine.fetched(by: wave2[0], nowMs: 30)
        let actions = try machine.report(Self.report(failure), from: wave2[0], nowMs: 30)
        #expect(actions.halted && machine.rollout.state == .halted)
        #expect(machine.rollout.haltReasons.last == "1 failure counted against the wave 2 of 4, more than max_failures 0")
        // The rest of wave 2 reports fine later: still halted, waves 3 and 4 are never offered.
        for agent in wave2.dropFirst() {
            _ = try? machine.report(F.applied(), from: agent, nowMs: 40)
        }
        #expect(machine.tick(nowMs: 1_000_000).isEmpty)
        let later = machine.rollout.plan.stages[3] + machine.rollout.plan.stages[4]
        #expect(later.allSatisfy { !machine.offers($0) })
        #expect(machine.rollout.agents.filter { later.contains($0.agentID) }.allSatisfy { $0.status == .pending })
    }

    @Test("within max_failures a stage still passes once the others applied; a later failure of an earlier stage counts against the current one")
    func failuresWithinTheAllowance() throws {
        var machine = F.start(F.plan(agents: 7, canary: 3, waves: 2, soakS: 0, maxFailures: 1))
        let canary = machine.rollout.plan.stages[0]
        for agent in canary { _ = machine.fetched(by: agent, nowMs: 0) }
        _ = try machine.report(F.rejected(), from: canary[0], nowMs: 10)
        #expect(machine.rollout.state == .running && machine.rollout.stage == 0)
        _ = try machine.report(F.applied(), from: canary[1], nowMs: 20)
        #expect(machine.rollout.stage == 0)  // canary[2] has not reported
        let passed = try machine.report(F.applied(), from: canary[2], nowMs: 30)
        #expect(passed.opened == [1])
        #expect(machine.rollout.agents[0].tolerated)
        // In wave 1 one agent reverts (1 ≤ 1: still going) …
        let wave1 = machine.rollout.plan.stages[1]
        for agent in wave1 { _ = machine.fetched(by: agent, nowMs: 40) }
        _ = try machine.report(F.reverted(), from: wave1[0], nowMs: 50)
        #expect(machine.rollout.state == .running)
        // … then a canary agent that had passed reports a trip: 2 failures against wave 1, more than 1.
        let halt = try machine.report(F.applied(trips: 1), from: canary[1], nowMs: 60)
        #expect(halt.halted)
        #expect(machine.rollout.haltReasons.count == 3)
        #expect(machine.rollout.haltReasons.last == "2 failures counted against the wave 1 of 2, more than max_failures 1")
    }

    @Test("a trip reported during the soak halts before the soak ends")
    func tripDuringSoak() throws {
        var machine = F.start(F.plan(agents: 4, canary: 2, waves: 1, soakS: 300))
        _ = try machine.applyStage(at: 1_000)
        #expect(machine.rollout.soakEndsAtMs == 301_000)
        let actions = try machine.report(F.applied(safeStateS: 12), from: "tx-002", nowMs: 100_000)
        #expect(actions.halted)
        #expect(machine.tick(nowMs: 400_000).isEmpty && machine.rollout.stage == 0)
    }

    // MARK: Operators

    @Test("pause holds: no stage opens, nobody new is offered the bundle; resume goes on at once")
    func pauseAndResume() throws {
        var machine = F.start(F.plan(agents: 7, canary: 1, waves: 2, soakS: 10))
        _ = try machine.applyStage(at: 0)
        #expect(machine.tick(nowMs: 10_000).opened == [1])
        let wave1 = machine.rollout.plan.stages[1]
        _ = machine.fetched(by: wave1[0], nowMs: 11_000)
        #expect(try machine.pause(nowMs: 12_000).withoutSaves == [.paused])
        #expect(machine.rollout.state == .paused)
        #expect(machine.offers(wave1[0]) && !machine.offers(wave1[1]))  // the one that has it keeps it
        for agent in wave1 { _ = try? machine.report(F.applied(), from: agent, nowMs: 13_000) }
        #expect(machine.rollout.agents.first { $0.agentID == wave1[0] }?.status == .applied)
        #expect(machine.rollout.agents.first { $0.agentID == wave1[1] }?.status == .pending)  // not handed the bundle
        #expect(machine.tick(nowMs: 1_000_000).isEmpty)
        #expect(throws: RolloutCommandError.self) { try machine.pause(nowMs: 1_000_000) }
        let resumed = try machine.resume(nowMs: 1_000_001)
        #expect(resumed.withoutSaves.first == .resumed)
        #expect(machine.rollout.state == .running && machine.offers(wave1[1]))
        _ = try machine.applyStage(at: 1_000_002)
        #expect(machine.tick(nowMs: 1_010_002).opened == [2])
    }

    @Test("abort is final: no stage opens, nothing resumes, only agents that have the bundle keep being served")
    func abort() throws {
        var machine = F.start(F.plan(agents: 5, canary: 1, waves: 2, soakS: 0))
        _ = try machine.applyStage(at: 0)
        let wave1 = machine.rollout.plan.stages[1]
        _ = machine.fetched(by: wave1[0], nowMs: 1)
        #expect(try machine.abort(nowMs: 2).withoutSaves == [.aborted])
        #expect(machine.offered == ["tx-001", wave1[0]])
        #expect(machine.tick(nowMs: 1_000_000).isEmpty)
        let commands: [(inout RolloutStateMachine) throws -> [RolloutAction]] = [
            { try $0.resume(nowMs: 3) }, { try $0.pause(nowMs: 3) }, { try $0.abort(nowMs: 3) },
        ]
        for command in commands {
            #expect(throws: RolloutCommandError.self) { try command(&machine) }
        }
    }

    @Test("commands that do not fit the state are refused with a reason", arguments: [RolloutState.running, .halted, .done])
    func invalidTransitions(state: RolloutState) throws {
        var machine = F.start(F.plan(agents: 2, canary: 1, waves: 1, soakS: 0))
        switch state {
        case .running: break
        case .halted:
            _ = machine.fetched(by: "tx-001", nowMs: 0)
            _ = try machine.report(F.rejected(), from: "tx-001", nowMs: 0)
        default:
            _ = try machine.applyStage(at: 0)
            _ = try machine.applyStage(at: 1)
        }
        #expect(machine.rollout.state == state)
        let resume = #expect(throws: RolloutCommandError.self) { try machine.resume(nowMs: 5) }
        #expect(resume?.label == "rollout.invalid_transition")
        if state == .halted {
            #expect(resume?.message.contains("abort it and roll out a new, higher version") == true)
            _ = try machine.abort(nowMs: 6)
            #expect(machine.rollout.state == .aborted)
        } else if state == .done {
            #expect(throws: RolloutCommandError.self) { try machine.abort(nowMs: 6) }
            #expect(throws: RolloutCommandError.self) { try machine.pause(nowMs: 6) }
        }
    }

    // MARK: Reports

    @Test("reports from agents outside the rollout, not yet reached, or about another version are refused")
    func foreignReports() throws {
        var machine = F.start(F.plan(agents: 4, canary: 1, waves: 1, soakS: 0))
        let stranger = #expect(throws: RolloutCommandError.self) { try machine.report(F.applied(), from: "tx-999", nowMs: 0) }
        #expect(stranger?.label == "rollout.not_a_member")
        let early = #expect(throws: RolloutCommandError.self) { try machine.report(F.applied(), from: "tx-004", nowMs: 0) }
        #expect(early?.label == "rollout.not_reached")
        let other = #expect(throws: RolloutCommandError.self) {
            try machine.report(PolicyReport(version: 6, result: .applied), from: "tx-001", nowMs: 0)
        }
        #expect(other?.label == "rollout.wrong_version")
    }

    @Test("a refusal or a revert stands; health only gets worse; the first apply time is kept")
    func stickyFailures() throws {
        var machine = F.start(F.plan(agents: 3, canary: 3, waves: 1, soakS: 1_000, maxFailures: 3))
        for agent in F.agents(3) { _ = machine.fetched(by: agent, nowMs: 0) }
        _ = try machine.report(F.rejected("WRONG_TARGET"), from: "tx-001", nowMs: 1)
        _ = try machine.report(F.applied(), from: "tx-001", nowMs: 2)
        #expect(machine.rollout.agents[0].status == .rejected(code: "WRONG_TARGET"))
        _ = try machine.report(F.applied(trips: 3, alarms: ["A"]), from: "tx-002", nowMs: 3)
        _ = try machine.report(F.applied(trips: 1, alarms: ["B"]), from: "tx-002", nowMs: 4)
        #expect(machine.rollout.agents[1].health == AgentHealth(trips: 3, alarms: ["A", "B"]))
        #expect(machine.rollout.agents[1].appliedAtMs == 3 && machine.rollout.agents[1].reportedAtMs == 4)
        _ = try machine.report(F.reverted(), from: "tx-003", nowMs: 5)
        _ = try machine.report(F.applied(), from: "tx-003", nowMs: 6)
        #expect(machine.rollout.agents[2].status == .reverted)
        #expect(machine.rollout.counts.rejected == 1 && machine.rollout.counts.reverted == 1 && machine.rollout.counts.unhealthy == 1)
    }

    @Test("every change raises the revision and asks for the changed rows to be saved")
    func savesAndRevisions() throws {
        var machine = F.start(F.plan(agents: 3, canary: 1, waves: 1, soakS: 0))
        let start = machine.rollout.revision
        let fetched = machine.fetched(by: "tx-001", nowMs: 1)
        #expect(fetched == [.save(agents: ["tx-001"])] && machine.rollout.revision == start + 1)
        #expect(machine.fetched(by: "tx-001", nowMs: 2).isEmpty)  // once
        let report = try machine.report(F.applied(), from: "tx-001", nowMs: 3)
        #expect(report.contains(.save(agents: ["tx-001"])))
        #expect(machine.rollout.revision > start + 1 && machine.rollout.updatedAtMs == 3)
    }

    @Test("a machine restored from its state goes on as the original would")
    func restoreMidRollout() throws {
        var original = F.start(F.plan(agents: 9, canary: 1, waves: 2, soakS: 30))
        _ = try original.applyStage(at: 0)
        _ = original.tick(nowMs: 30_000)
        _ = original.fetched(by: original.rollout.plan.stages[1][0], nowMs: 31_000)
        var restored = RolloutStateMachine(restoring: original.rollout)
        #expect(restored.offered == original.offered)
        let a = try original.applyStage(at: 40_000) + original.tick(nowMs: 70_000)
        let b = try restored.applyStage(at: 40_000) + restored.tick(nowMs: 70_000)
        #expect(a == b && original.rollout == restored.rollout)
        #expect(restored.rollout.stage == 2)
    }
}
