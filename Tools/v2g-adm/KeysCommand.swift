import AdmKit
import ArgumentParser
import FoundationEssentials
import GridCore
import PolicyTrust

/// `v2g-adm keys …`: the root of trust and the signing keys (docs/policy.md, "Keys").
struct Keys: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The root of trust: create it, rotate its keys, list it.",
        subcommands: [Init.self, Rotate.self, List.self]
    )
}

/// The wall clock, once per command: every check below takes it as an argument.
func wallClockNow() -> Timestamp {
    Timestamp(secondsSinceEpoch: Date().timeIntervalSince1970)
}

/// The message of a tool error, for ArgumentParser to print on stderr with exit code 1.
struct TrustFailure: Error, CustomStringConvertible {
    let description: String

    init(_ error: TrustToolError) {
        description = error.message
    }
}

func parseTime(_ text: String, option: String, now: Timestamp) throws -> Timestamp {
    guard let time = AdmTime.parse(text, now: now) else {
        throw ValidationError("\(option) must be \(AdmTime.help); got \"\(text)\"")
    }
    return time
}

extension Keys {
    struct Init: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create DIR/root.json (version 1, signed by its root keys) and the private keys under DIR/keys/ (0600).",
            discussion: "Refuses to replace an existing DIR/root.json. Keep DIR/keys offline; copy DIR/root.json to agents (/etc/v2g/root.json) and to the aggregator."
        )

        @Option(help: "Key folder to create.") var dir: String
        @Option(name: .customLong("root-keys"), help: "Root keys (default 1).") var rootKeys = 1
        @Option(name: .customLong("root-threshold"), help: "Root signatures needed (default 1).") var rootThreshold = 1
        @Option(name: .customLong("policy-keys"), help: "Policy-signing keys (default 1).") var policyKeys = 1
        @Option(name: .customLong("policy-threshold"), help: "Policy signatures needed (default 1).") var policyThreshold = 1
        @Option(name: .customLong("envelope-keys"), help: "Envelope-signing keys (default 1).") var envelopeKeys = 1
        @Option(name: .customLong("envelope-threshold"), help: "Envelope signatures needed (default 1).") var envelopeThreshold = 1
        @Option(help: "When the root expires: \(AdmTime.help) (default +365d).") var expires = "+365d"

        func run() throws {
            let now = wallClockNow()
            let directory = KeyDirectory(path: dir)
            let sizes = KeyDirectory.RoleSizes(
                keys: [.root: rootKeys, .policy: policyKeys, .envelope: envelopeKeys],
                thresholds: [.root: rootThreshold, .policy: policyThreshold, .envelope: envelopeThreshold])
            do {
                let root = try directory.initialize(sizes: sizes, expires: try parseTime(expires, option: "--expires", now: now), now: now)
                print("wrote \(directory.rootPath) (root version \(root.version), expires \(root.expires.rfc3339)) and \(rootKeys + policyKeys + envelopeKeys) keys under \(directory.keysFolder)")
            } catch let error as TrustToolError {
                throw TrustFailure(error)
            }
        }
    }

    struct Rotate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write root version N+1 with fresh keys for one role, signed by the root keys of N (and of N+1).",
            discussion: """
                The previous versions stay in DIR/roots/ so that agents can walk N → N+1. Keys that no role uses any \
                more move to DIR/keys/retired/; destroy them once every agent has the new root.
                """
        )

        @Option(help: "Key folder (from `keys init`).") var dir: String
        @Option(help: "Role to give fresh keys: root, policy or envelope.") var role: String
        @Option(help: "How many keys the role gets (default: as many as now).") var keys: Int?
        @Option(help: "The role's threshold (default: as now, at most --keys).") var threshold: Int?
        @Option(help: "When the new root expires: \(AdmTime.help) (default +365d).") var expires = "+365d"

        func validate() throws {
            guard TrustRole(rawValue: role) != nil else { throw ValidationError("--role must be root, policy or envelope; got \"\(role)\"") }
        }

        func run() throws {
            let now = wallClockNow()
            let directory = KeyDirectory(path: dir)
            do {
                let root = try directory.rotate(
                    role: TrustRole(rawValue: role) ?? .policy, keyCount: keys, threshold: threshold,
                    expires: try parseTime(expires, option: "--expires", now: now), now: now)
                print("wrote \(directory.rootPath) and \(directory.rootPath(version: root.version)) (root version \(root.version), expires \(root.expires.rfc3339))")
            } catch let error as TrustToolError {
                throw TrustFailure(error)
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the root's version, expiry, roles, thresholds and key ids (and key files with --dir).")

        @Option(help: "Key folder (from `keys init`).") var dir: String?
        @Option(help: "A root file instead of a key folder.") var root: String?

        func validate() throws {
            guard (dir == nil) != (root == nil) else { throw ValidationError("give exactly one of --dir or --root") }
        }

        func run() throws {
            do {
                if let root {
                    let trusted = try KeyDirectory.loadRoot(path: root)
                    print(KeyListing.text(root: trusted, keyFiles: [:], previousVersions: [], now: wallClockNow()), terminator: "")
                } else if let dir {
                    let directory = KeyDirectory(path: dir)
                    let trusted = try directory.loadRoot()
                    let files = try directory.privateKeys().mapValues(\.path)
                    let versions = (1...trusted.version).filter { FileManager.default.fileExists(atPath: directory.rootPath(version: $0)) }
                    print(KeyListing.text(root: trusted, keyFiles: files, previousVersions: versions, now: wallClockNow()), terminator: "")
                }
            } catch {
                throw TrustFailure(error)
            }
        }
    }
}
