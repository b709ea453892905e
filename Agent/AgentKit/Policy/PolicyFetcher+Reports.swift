import EdgeCurl
import FoundationEssentials
import GridCore
import Logging

extension PolicyFetcher {
    /// Posts the waiting reports, oldest first, and removes each one the aggregator acknowledges (2xx). A report the
    /// aggregator refuses for good (400, 403, 409, 413, 415, 422) is set aside with an error in the log and the event
    /// log, so that it does not hold up the others; so is one no rollout tracks (404 `rollout.unknown`: a bundle
    /// installed at commissioning), quietly. Any other answer is retried later, from that report on.
    func postReports() async -> (sent: Int, failure: String?) {
        var sent = 0
        var failure: String?
        for record in cache.pendingReports(limit: Self.reportsPerRound) {
            let response: CurlResponse
            do {
                response = try await client.post(reportURL, body: record.body, headers: ["Content-Type: application/json"])
            } catch {
                failure = error.label
                break
            }
            switch response.status {
            case 200...299:
                cache.removeReport(sequence: record.sequence)
                sent += 1
            case 400, 403, 409, 413, 415, 422:
                cache.removeReport(sequence: record.sequence)
                let answer = String(decoding: response.body.prefix(300), as: UTF8.self)
                let report = String(decoding: record.body.prefix(600), as: UTF8.self)
                logger.error("policy report refused by the aggregator: set aside", metadata: [
                    "report.status": "\(response.status)", "report.answer": "\(answer)", "report.body": "\(report)",
                ])
                cache.recordEvent(code: "POLICY_REPORT_REFUSED", message: "HTTP \(response.status) \(answer): \(report)", at: clock.now())
            case 404 where Self.errorLabel(response.body) == "rollout.unknown":
                // No rollout tracks this version for this agent (a bundle installed at commissioning, or a rollout
                // since deleted): there is nobody to tell, and keeping it would hold up every later report.
                cache.removeReport(sequence: record.sequence)
                logger.notice("policy report not kept: no rollout tracks its version", metadata: [
                    "report.body": "\(String(decoding: record.body.prefix(300), as: UTF8.self))",
                ])
            default:
                failure = "http_\(response.status)"
            }
            if failure != nil { break }
        }
        let waiting = cache.pendingReports(limit: PolicyReportRecord.capacity).count
        watch.updateStatus { $0.pendingReports = waiting }
        return (sent, failure)
    }

    /// The `error` label of an aggregator's JSON error answer, if the body is one.
    static func errorLabel(_ body: [UInt8]) -> String? {
        struct Answer: Decodable { var error: String }
        return try? JSONDecoder().decode(Answer.self, from: Data(body)).error
    }
}
