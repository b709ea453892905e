import FoundationEssentials
public import GridCore
import Logging

/// The loop's side of the policy path: deliveries taken at a cycle boundary, the probation of a new policy, reports
/// for the aggregator, and the standing notices of the policy in force.
extension ControlLoop {
    static let probationRecord = "probation"
    static let etagRecord = "bundle_etag"
    static let revertedRecord = "reverted_version"

    /// Sets the probation window for policies adopted from now on; nil: none.
    public func setProbation(windowS: Double?) {
        probationWindowS = windowS
    }

    /// Takes what the inbox holds, in order: each policy that passes its range checks and that the cache accepts
    /// becomes the policy in force (and goes on probation); any other is refused, loudly.
    func adoptDeliveries(now: Timestamp) {
        for delivery in inbox.takeAll() {
            let version = delivery.policy.version
            let metadata: Logger.Metadata = ["policy.version": "\(version)", "policy.source": "\(delivery.source)"]
            do {
                try delivery.policy.validate()
            } catch {
                refuse(delivery, code: "OUT_OF_RANGE", reason: "version \(version): \(error)", now: now)
                continue
            }
            let before = (mode: lastOutcome?.mode, trips: Self.tripCodes(lastOutcome))
            switch cache.adoptPolicy(delivery.policy, bundleBytes: delivery.bundleBytes, receivedAt: delivery.receivedAt) {
            case .stored, .deferred:
                adopt(delivery.policy)
                logger.notice("policy adopted", metadata: metadata)
                cache.recordEvent(code: "POLICY_ADOPTED", message: "version \(version) from \(delivery.source)", at: now)
                policyWatch.adopted()
                keepETag(of: delivery)
                beginProbation(version: version, now: now, mode: before.mode, trips: before.trips)
                if delivery.reportable {
                    report(PolicyReport(version: version, result: .applied, health: .init(alarms: activeAlarmCodes), at: now))
                }
            case .refused(let reason) where delivery.reportable:
                refuse(delivery, code: "ROLLBACK", reason: reason, now: now)
            case .refused(let reason):
                // The same file offered again at every start is the common case: worth a line, not an alarm.
                logger.notice("policy not adopted", metadata: metadata.merging(["policy.reason": "\(reason)"]) { $1 })
                cache.recordEvent(code: "POLICY_REFUSED", message: "ROLLBACK: \(reason) (from \(delivery.source))", at: now)
            }
        }
    }

    /// A delivery not adopted: the log, the event log with its code, the alarm, and the aggregator's report.
    func refuse(_ delivery: PolicyInbox.Delivery, code: String, reason: String, now: Timestamp) {
        logger.error("policy refused", metadata: [
            "policy.version": "\(delivery.policy.version)", "policy.source": "\(delivery.source)", "policy.code": "\(code)",
            "policy.reason": "\(reason)",
        ])
        cache.recordEvent(code: "POLICY_REFUSED", message: "\(code): \(reason) (from \(delivery.source))", at: now)
        policyWatch.refused(code: code, reason: reason, source: delivery.source, at: now)
        keepETag(of: delivery)
        if delivery.reportable {
            report(PolicyReport(
                version: delivery.policy.version, result: .rejected, code: code, reason: reason,
                health: .init(alarms: activeAlarmCodes), at: now))
        }
    }

    /// Keeps a report for the fetcher to post (it is retried until acknowledged, across restarts).
    func report(_ report: PolicyReport) {
        cache.keepReport(report.body(), at: Timestamp.wallClock())
        policyWatch.nudge()
    }

    private func keepETag(of delivery: PolicyInbox.Delivery) {
        guard let etag = delivery.etag else { return }
        cache.storeRecord(Array(etag.utf8), named: Self.etagRecord)
    }

    private func beginProbation(version: Int, now: Timestamp, mode: CycleOutcome.Mode?, trips: Set<String>) {
        guard let windowS = probationWindowS else {
            probation = nil
            return
        }
        let started = PolicyProbation(version: version, appliedAt: now, windowS: windowS, mode: mode, tripCodes: trips)
        probation = started
        storeProbation()
        logger.notice("policy on probation", metadata: ["policy.version": "\(version)", "policy.probation_s": "\(Int(windowS))"])
    }

    /// After each cycle: a trip or the safe state beginning during the window reverts the policy; a clean window is
    /// reported again, so that the rollout's health gate sees it.
    func judgeProbation(_ outcome: CycleOutcome, now: Timestamp) {
        guard var running = probation else { return }
        let verdict = running.observe(mode: outcome.mode, tripCodes: Self.tripCodes(outcome), now: now)
        let health = PolicyReport.Health(trips: running.trips, safeStateS: running.safeStateS, alarms: activeAlarmCodes)
        switch verdict {
        case .holding:
            probation = running
        case .passed:
            endProbation()
            logger.notice("policy passed probation", metadata: ["policy.version": "\(running.version)"])
            cache.recordEvent(code: "POLICY_PROBATION_PASSED", message: "version \(running.version)", at: now)
            report(PolicyReport(version: running.version, result: .applied, health: health, at: now))
        case .revert(let code, let reason):
            endProbation()
            let restored = cache.revertPolicy()
            adopt(restored)
            cache.storeRecord(Array(String(running.version).utf8), named: Self.revertedRecord)
            let message = "version \(running.version) reverted to version \(restored.version): \(reason)"
            logger.error("policy reverted on probation", metadata: [
                "policy.version": "\(running.version)", "policy.restored_version": "\(restored.version)", "policy.code": "\(code)",
                "policy.reason": "\(reason)",
            ])
            cache.recordEvent(code: "POLICY_REVERTED", message: "\(code): \(message)", at: now)
            report(PolicyReport(version: running.version, result: .reverted, code: code, reason: message, health: health, at: now))
        }
    }

    private func endProbation() {
        probation = nil
        cache.storeRecord(nil, named: Self.probationRecord)
        policyWatch.updateStatus { $0.probationVersion = nil; $0.probationEndsAt = nil }
    }

    private func storeProbation() {
        guard let probation else { return }
        if let bytes = try? JSONEncoder().encode(probation) { cache.storeRecord([UInt8](bytes), named: Self.probationRecord) }
        policyWatch.updateStatus { $0.probationVersion = probation.version; $0.probationEndsAt = probation.endsAt }
    }

    /// A probation cut short by a restart goes on, for the policy it was about.
    func restoredProbation() -> PolicyProbation? {
        guard let bytes = cache.record(named: Self.probationRecord),
            let restored = try? JSONDecoder().decode(PolicyProbation.self, from: Data(bytes)), restored.version == policy.version
        else { return nil }
        policyWatch.updateStatus { $0.probationVersion = restored.version; $0.probationEndsAt = restored.endsAt }
        return restored
    }

    /// Works the standing notices out again when the policy in force has changed, and says each once.
    func refreshNotices() {
        guard noticedPolicy != policy else { return }
        noticedPolicy = policy
        let notice = policy.protectionMonitor.clearingNotice(cyclePeriodS: policy.cyclePeriodS)
        notices = notice.map { [AgentStatus.Alarm(code: $0.code.rawValue, message: $0.message)] } ?? []
        for notice in notices {
            logger.notice("standing notice", metadata: ["notice.code": "\(notice.code)", "notice.message": "\(notice.message)"])
        }
    }

    /// The trip codes a cycle decided (`TRIP_OV1`, …).
    static func tripCodes(_ outcome: CycleOutcome?) -> Set<String> {
        Set((outcome?.decisions ?? []).filter { $0.step == .protection && $0.code.hasPrefix("TRIP_") }.map(\.code))
    }
}
