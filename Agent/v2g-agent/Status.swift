import AgentKit
import ArgumentParser
import FoundationEssentials
import GridCore

/// Reads the running agent's status file: no socket, no port.
struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show the running agent's state, from its status file.")

    @Option(name: .long, help: "Agent configuration (to find the status file).")
    var config: String?

    @Option(name: .long, help: "The status file itself (default /run/v2g-agent/status.json).")
    var statusFile: String?

    @Flag(name: .long, help: "Print the raw JSON.")
    var json = false

    func run() throws {
        do {
            let path = try statusFile ?? config.map { try AgentConfig.load(path: $0).config.statusFile } ?? "/run/v2g-agent/status.json"
            let status = try StatusFile(path: path).read()
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                // As the agent wrote it: a non-finite figure is spelled out, not a failed print.
                encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
                do {
                    print(String(decoding: try encoder.encode(status), as: UTF8.self))
                } catch {
                    throw fail("\(path): the status read cannot be printed as JSON")
                }
                return
            }
            let age = Timestamp.wallClock() - status.writtenAt
            print("agent \(status.agentID)   mode \(status.mode?.rawValue ?? "starting")   policy v\(status.policyVersion)   status \(Int(age)) s old")
            print("neutral \(fmt(status.neutralCurrentA)) A   VUF \(fmt(status.voltageUnbalancePercent)) %   hot-spot \(fmt(status.hotSpotC)) °C   allowed \(fmt(status.allowedKVA)) kVA   cycle \(fmt(status.cycleDurationS.map { $0 * 1000 })) ms")
            print(status.alarms.isEmpty ? "alarms: none" : "alarms:")
            for alarm in status.alarms { print("  \(alarm.code): \(alarm.message)") }
            for notice in status.notices ?? [] { print("notice: \(notice.code): \(notice.message)") }
            if let path = status.policyPath { print(Self.describe(path, now: .wallClock())) }
            if let envelope = status.envelope {
                let state = envelope.applied ? "applied" : (envelope.validUntil <= (status.lastCycleAt ?? status.writtenAt) ? "lapsed" : "held, not applied")
                print("neighborhood envelope #\(envelope.sequence), valid until \(envelope.validUntil.rfc3339): \(state)")
            }
            for charger in status.chargers {
                print("  \(charger.id.padding(12)) \(charger.phase.description.padding(4)) P \(fmt(charger.activePowerKW)) kW  Q \(fmt(charger.reactivePowerKvar)) kvar\(charger.online ? "" : "  OFFLINE")")
            }
            print(status.uplink.map { $0.summary(now: .wallClock()) } ?? "uplink: not configured, or no upload attempted yet")
            if age > 30 { print("warning: the status is \(Int(age)) s old: is the agent running?") }
        } catch let error as ConfigFileError {
            throw fail(error.description)
        }
    }
}

extension Status {
    /// One line: the root, the last fetch, the reports, the probation.
    static func describe(_ path: PolicyPathStatus, now: Timestamp) -> String {
        var parts = ["signed policy: root v\(path.rootVersion.map(String.init) ?? "none")"]
        if let expires = path.rootExpires { parts[0] += " (expires \(expires.rfc3339))" }
        if let fetch = path.lastFetch {
            parts.append("last fetch \(fetch)" + (path.lastFetchAt.map { " \(Int((now - $0).rounded())) s ago" } ?? ""))
        } else {
            parts.append("not fetched yet")
        }
        parts.append("\(path.pendingReports) report\(path.pendingReports == 1 ? "" : "s") pending")
        if let version = path.probationVersion {
            parts.append("v\(version) on probation" + (path.probationEndsAt.map { " until \($0.rfc3339)" } ?? ""))
        }
        return parts.joined(separator: ", ")
    }
}

private func fmt(_ value: Double?) -> String {
    guard let value, value.isFinite else { return "-" }
    return String((value * 100).rounded() / 100)
}

extension String {
    func padding(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
}
