import ArgumentParser
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@main
struct V2GSim: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "v2g-sim",
        abstract: "Field simulator: SunSpec Modbus servers for transformers (one, or a neighborhood), their meters and chargers, with feeder physics.",
        subcommands: [Run.self, Rehearse.self, Baseline.self]
    )
}

/// Exit with a one-line message on stderr and status 1: no stack trace for an operator's mistake.
func fail(_ message: String) -> ExitCode {
    var stream = StandardError()
    print("v2g-sim: \(message)", to: &stream)
    return ExitCode(1)
}

struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        var bytes = Array(string.utf8)
        _ = bytes.withUnsafeMutableBytes { Glibc.write(2, $0.baseAddress, $0.count) }
    }
}
