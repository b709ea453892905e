import AgentKit
import ArgumentParser
import GridCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@main
struct V2GAgent: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "v2g-agent",
        abstract: "Transformer-controller agent: keeps the transformer cool, voltage in band and phases balanced with the EV fleet.",
        subcommands: [Run.self, Plan.self, Status.self, Probe.self, Flush.self, CheckConfig.self]
    )
}

/// Exit with a one-line message on stderr and status 1: no stack trace for an operator's mistake.
func fail(_ message: String) -> ExitCode {
    var stream = StandardError()
    print("v2g-agent: \(message)", to: &stream)
    return ExitCode(1)
}

struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        var bytes = Array(string.utf8)
        _ = bytes.withUnsafeMutableBytes { Glibc.write(2, $0.baseAddress, $0.count) }
    }
}
