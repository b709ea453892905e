import AgentKit
import ArgumentParser
import GridCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Checks what `run` would read before it starts: the package's maintainer scripts and the unit's ExecStartPre run it,
/// so a bad file stops the start with one line that names the file and says what to do.
struct CheckConfig: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Check the configuration, the policy file it names and the uplink's TLS files, then exit.",
        discussion: """
            Reads the configuration exactly as `run` does (strict JSON, # and // comment lines, unknown keys refused),
            then the policy_file when one is named (every value in range), then, when there is an uplink section,
            its ca_file, cert_file and key_file: each must exist, be readable by the user running the check and hold
            a PEM block of the right kind, and the key must be unreadable by group and others (0600).
            Exit status 0 with one summary line on stdout (and any warning), 1 with one line on stderr naming the file
            and what to do. Devices are not contacted: `probe` does that.
            """
    )

    @Option(name: .long, help: "Agent configuration file (JSON; # and // comment lines allowed).")
    var config: String = "/etc/v2g/agent.json"

    func run() throws {
        let loaded: (config: AgentConfig, warnings: [String])
        do {
            loaded = try AgentConfig.load(path: config)
        } catch {
            throw fail("\(error.description); correct \(config) (every key: docs/agent-config.md, man v2g-agent)")
        }
        let agent = loaded.config
        var policy = "none named (the cache's, else the built-in safe defaults)"
        if let path = agent.policyFile {
            do {
                policy = "version \(try ConfigFile.loadPolicy(path: path).version) from \(path)"
            } catch {
                throw fail("\(error.description); correct the policy, or remove policy_file from \(config)")
            }
        }
        var uplink = "none (no telemetry queue)"
        if let settings = agent.uplink {
            let kit = "copy the whole kit from `v2g-pki issue-agent --agent-id \(agent.agentID)` (docs/provisioning.md)"
            do {
                try PEMFile(path: settings.caFile, role: "uplink.ca_file", label: "CERTIFICATE").check(fix: kit)
                try PEMFile(path: settings.certFile, role: "uplink.cert_file", label: "CERTIFICATE").check(fix: kit)
                try PEMFile(path: settings.keyFile, role: "uplink.key_file", label: "PRIVATE KEY", isPrivate: true).check(fix: kit)
            } catch {
                throw fail(error.message)
            }
            uplink = "\(settings.baseURL), TLS files readable"
        }
        for warning in loaded.warnings { print("warning: \(warning)") }
        print("configuration ok: agent \(agent.agentID), \(agent.chargers.count) charger(s), policy \(policy), uplink \(uplink)")
    }
}

/// One PEM file of the uplink: present, readable by this user, the right kind, and private when it is a key.
private struct PEMFile {
    struct Problem: Error { let message: String }

    let path: String
    let role: String
    /// The PEM label to look for: "CERTIFICATE", or "PRIVATE KEY" (which also matches "EC PRIVATE KEY").
    let label: String
    var isPrivate = false

    func check(fix: String) throws(Problem) {
        var info = stat()
        guard stat(path, &info) == 0 else {
            let reason = errno == ENOENT ? "is missing" : "cannot be examined (\(errnoText()))"
            throw Problem(message: "\(path) (\(role)) \(reason): \(fix)")
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw Problem(message: "\(path) (\(role)) is not a regular file: \(fix)")
        }
        let user = userName()
        guard access(path, R_OK) == 0 else {
            let owner = isPrivate ? "chown \(user) \(path) && chmod 600 \(path)" : "chmod 644 \(path)"
            throw Problem(message: "\(path) (\(role)) is not readable by \(user) (\(errnoText())): \(owner)")
        }
        if isPrivate, info.st_mode & 0o077 != 0 {
            let mode = String(info.st_mode & 0o777, radix: 8)
            throw Problem(message: "\(path) (\(role)) is readable by others (mode \(mode)): chmod 600 \(path)")
        }
        let text: String
        do {
            text = String(decoding: try ConfigFile.read(path), as: UTF8.self)
        } catch {
            throw Problem(message: "\(error.description): \(fix)")
        }
        guard text.contains("-----BEGIN "), text.contains("\(label)-----") else {
            throw Problem(message: "\(path) (\(role)) holds no PEM \(label): \(fix)")
        }
    }

    private func errnoText() -> String { String(cString: strerror(errno)) }

    /// The name of the user running the check (the service's own under systemd), for the fix it prints.
    private func userName() -> String {
        guard let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name else { return "uid \(geteuid())" }
        return String(cString: name)
    }
}
