import AdmKit
import ArgumentParser
import GridCore
import PolicyTrust

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `v2g-adm policy …`: check, sign, verify and compare control policies (docs/policy.md).
struct Policy: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Control policies: validate, sign into a bundle, verify as an agent would, diff.",
        subcommands: [Validate.self, Sign.self, Verify.self, Diff.self]
    )
}

/// Prints `message` on stderr and exits with 2: the command could not reach a verdict.
private func cannotJudge(_ message: String) -> ExitCode {
    let line = Array("error: \(message)\n".utf8)
    _ = line.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
    return ExitCode(2)
}

extension Policy {
    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a policy file: one line per problem naming the field, the value and the allowed range.",
            discussion: "Exit 0 when valid, 1 when not (or unreadable)."
        )

        @Argument(help: "Policy JSON file.") var file: String

        func run() throws {
            let lines: [String]
            do {
                _ = try PolicyTool.readValidPolicy(path: file)
                print("\(file): valid")
                return
            } catch {
                lines = [error.message]
            }
            for line in lines { print(line) }
            throw ExitCode.failure
        }
    }

    struct Sign: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Sign a policy into a bundle (DSSE envelope) with policy keys of ROOT.",
            discussion: """
                Refuses an invalid policy, keys that are not policy keys of ROOT or fewer than its policy threshold, \
                and an --expires that is not in the future. Targets: "*" (every agent), group:NAME, or an agent id.
                """
        )

        @Option(help: "The root the agents trust (root.json).") var root: String
        @Option(help: "Policy JSON file.") var policy: String
        @Option(help: "Bundle version: higher than every agent's installed version.") var version: Int
        @Option(help: "When the bundle expires: \(AdmTime.help).") var expires: String
        @Option(help: "Who the bundle is for (repeat).") var target: [String] = []
        @Option(help: "A policy private key PEM (repeat up to the threshold).") var key: [String] = []
        @Option(help: "Bundle file to write.") var out: String

        func validate() throws {
            guard !target.isEmpty else { throw ValidationError("give at least one --target (\"*\" for every agent)") }
            guard !key.isEmpty else { throw ValidationError("give at least one --key") }
        }

        func run() throws {
            let now = wallClockNow()
            do {
                let bundle = try PolicyTool.sign(
                    rootPath: root, policyPath: policy, version: version,
                    expires: try parseTime(expires, option: "--expires", now: now), targets: target,
                    keyPaths: key, outPath: out, now: now)
                print("wrote \(out): bundle version \(bundle.version), expires \(bundle.expires.rfc3339), targets \(bundle.targets.map(\.description).joined(separator: " "))")
            } catch let error as TrustToolError {
                throw TrustFailure(error)
            }
        }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Verify a bundle exactly as the agent does: ACCEPTED version V (exit 0) or REFUSED CODE: reason (exit 1).",
            discussion: "Exit 2 (and a message on stderr) when the root or the bundle cannot be read."
        )

        @Option(help: "The root the agent trusts (root.json).") var root: String
        @Option(help: "The agent's id.") var agent: String
        @Option(help: "A group the agent's config lists (repeat).") var group: [String] = []
        @Option(name: .customLong("installed-version"), help: "The agent's installed policy version (default 0: built-in).")
        var installedVersion = 0
        @Option(help: "The time to verify at: \(AdmTime.help) (default: now).") var now: String?
        @Argument(help: "Bundle file.") var bundle: String

        func run() throws {
            let clock = wallClockNow()
            let at = try now.map { try parseTime($0, option: "--now", now: clock) } ?? clock
            let verdict: (accepted: Bool, line: String)
            do {
                verdict = try PolicyTool.verify(
                    rootPath: root, bundlePath: bundle, agent: AgentIdentity(id: agent, groups: group),
                    installedVersion: installedVersion, now: at)
            } catch {
                throw cannotJudge(error.message)
            }
            print(verdict.line)
            if !verdict.accepted { throw ExitCode.failure }
        }
    }

    struct Diff: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the fields that differ between two policies or bundles, old → new.",
            discussion: """
                Defaults are written out, so an omitted key equals its default. Bundles are compared as written: their \
                signatures are not checked (use `policy verify`). Exit 0 when the same, 1 when they differ, 2 on error.
                """
        )

        @Argument(help: "The old policy or bundle.") var old: String
        @Argument(help: "The new policy or bundle.") var new: String

        func run() throws {
            let lines: [String]
            do {
                lines = try PolicyTool.diff(oldPath: old, newPath: new)
            } catch {
                throw cannotJudge(error.message)
            }
            guard !lines.isEmpty else {
                print("no differences")
                return
            }
            for line in lines { print(line) }
            throw ExitCode.failure
        }
    }
}
