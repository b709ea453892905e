import AdmKit
import ArgumentParser

/// How to reach the aggregator as an operator (mutual TLS with the certificate from `v2g-pki issue-operator`).
struct AggregatorOptions: ParsableArguments {
    @Option(help: "The aggregator's URL, https://HOST:PORT.") var aggregator: String
    @Option(help: "The operator's kit from v2g-pki issue-operator (ca.crt, operator.crt, operator.key).") var kit: String?
    @Option(help: "The deployment CA (default: KIT/ca.crt).") var ca: String?
    @Option(help: "The operator's certificate (default: KIT/operator.crt).") var cert: String?
    @Option(help: "Its private key, mode 0600 (default: KIT/operator.key).") var key: String?
    @Option(help: "Seconds a request may take.") var timeout: Double = 30

    func client() throws(RolloutToolError) -> AggregatorClient {
        try AggregatorClient(url: aggregator, kit: kit, ca: ca, cert: cert, key: key, timeoutS: timeout)
    }
}

/// Runs one rollout or goal tool call: prints its lines, or its error on stderr, and exits with its status.
func perform(_ body: () async throws(RolloutToolError) -> RolloutTool.Outcome) async throws {
    do {
        let outcome = try await body()
        for line in outcome.lines { print(line) }
        if outcome.exitStatus != 0 { throw ExitCode(outcome.exitStatus) }
    } catch let error as RolloutToolError {
        writeStandardError("error: \(error.message)\n")
        throw ExitCode(error.exitStatus)
    }
}

private let exitCodes = """
    Exit status: 0 done (status: the rollout runs, is paused or is done), 1 the aggregator refused (REFUSED \
    STATUS LABEL: reason), 2 a bad command line or file, 3 the aggregator could not be reached (network, TLS), \
    4 (status) the rollout halted or was aborted.
    """

struct Rollout: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Staged rollouts of a signed policy bundle on the aggregator: start, status, pause, resume, abort.",
        discussion: exitCodes,
        subcommands: [Start.self, Status.self, Pause.self, Resume.self, Abort.self]
    )

    struct Start: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Roll a bundle out: the canary first, then the waves, each after its agents applied and soaked.",
            discussion: "The aggregator refuses a bundle that fails verification or validation (REFUSED 400 CODE: reason). " + exitCodes)

        @OptionGroup var connection: AggregatorOptions
        @Option(help: "Agents in the canary (the first ones in rollout order).") var canary = 1
        @Option(help: "Waves after the canary (the rest split as evenly as possible).") var waves = 3
        @Option(name: .customLong("soak"), help: "Seconds each stage runs the bundle, after its last agent applied, before the next opens.")
        var soakS = 300
        @Option(name: .customLong("max-failures"), help: "Rejects, reverts and unhealthy agents a stage tolerates; one more halts it.")
        var maxFailures = 0
        @Option(name: .customLong("agent"), help: "An agent, in rollout order (repeat; needed for group targets; default: every known target).")
        var agents: [String] = []
        @Argument(help: "The bundle (v2g-adm policy sign --out).") var bundle: String

        func run() async throws {
            try await perform { () async throws(RolloutToolError) in
                try await RolloutTool.start(
                    try connection.client(), bundlePath: bundle, canary: canary, waves: waves, soakS: soakS, maxFailures: maxFailures,
                    agents: agents)
            }
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A rollout's state, stage and counts, one line per halt reason (every rollout without ID).", discussion: exitCodes)

        @OptionGroup var connection: AggregatorOptions
        @Flag(help: "One line per agent too.") var agents = false
        @Argument(help: "The rollout's id.") var id: Int64?

        func run() async throws {
            try await perform { () async throws(RolloutToolError) in try await RolloutTool.status(try connection.client(), id: id, agents: agents) }
        }
    }

    struct Pause: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Hold a running rollout: no stage opens, nobody new gets the bundle.", discussion: exitCodes)
        @OptionGroup var connection: AggregatorOptions
        @Argument(help: "The rollout's id.") var id: Int64

        func run() async throws {
            try await perform { () async throws(RolloutToolError) in try await RolloutTool.command(try connection.client(), "pause", id: id) }
        }
    }

    struct Resume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Go on with a paused rollout (a halted one does not resume).", discussion: exitCodes)
        @OptionGroup var connection: AggregatorOptions
        @Argument(help: "The rollout's id.") var id: Int64

        func run() async throws {
            try await perform { () async throws(RolloutToolError) in try await RolloutTool.command(try connection.client(), "resume", id: id) }
        }
    }

    struct Abort: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Stop a rollout for good; agents keep what they applied (roll back with a new, higher version).", discussion: exitCodes)
        @OptionGroup var connection: AggregatorOptions
        @Argument(help: "The rollout's id.") var id: Int64

        func run() async throws {
            try await perform { () async throws(RolloutToolError) in try await RolloutTool.command(try connection.client(), "abort", id: id) }
        }
    }
}

struct Roots: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Root versions on the aggregator.", subcommands: [Publish.self])

    struct Publish: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Publish root versions in order (e.g. DIR/roots/2.json DIR/roots/3.json): each must follow the last one trusted.",
            discussion: exitCodes)
        @OptionGroup var connection: AggregatorOptions
        @Argument(help: "Root files, oldest first.") var roots: [String]

        func run() async throws {
            try await perform { () async throws(RolloutToolError) in try await RolloutTool.publishRoots(try connection.client(), paths: roots) }
        }
    }
}

struct Audit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "The aggregator's audit log of operator actions, newest first.", discussion: exitCodes)
    @OptionGroup var connection: AggregatorOptions
    @Option(help: "How many entries.") var limit = 50

    func run() async throws {
        try await perform { () async throws(RolloutToolError) in try await RolloutTool.audit(try connection.client(), limit: limit) }
    }
}
