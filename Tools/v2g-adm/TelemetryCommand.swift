import AdmKit
import ArgumentParser

/// `v2g-adm telemetry …`: the agent's telemetry frames, measured on a CSV.
struct Telemetry: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Telemetry frames: pack a CSV as the agent would, train a dictionary, make a synthetic stream.",
        subcommands: [Pack.self, Train.self, Synth.self]
    )
}

/// Input CSV shape, shared by the help texts.
private let csvHelp = """
    Input CSV: a header t_s,<channel>,… where each channel name ends in its unit (_v 0.1 V, _a 0.01 A, \
    _kw 0.01 kW, _kvar 0.01 kvar, _hz 0.001 Hz, _c 0.1 °C, _pct 0.1 %), then one row per sample, t_s in \
    seconds strictly increasing; an empty cell is a missing sample; blank lines and lines starting with # are skipped.
    """

extension Telemetry {
    /// `v2g-adm telemetry pack`: frames and figures for a CSV.
    struct Pack: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Pack a telemetry CSV into frames exactly as the agent does and print bytes per value.",
            discussion: csvHelp + """

                Values are quantized to their unit's resolution (half away from zero), cut into batches of \
                --batch-seconds from the first row, encoded (columnar deltas, varints, zstd; docs/telemetry.md) \
                and decoded back; the command fails if any value does not come back exactly.
                """
        )

        @Option(help: "Input CSV file.")
        var input: String

        @Option(name: .customLong("batch-seconds"), help: "Batch window in seconds (default 60).")
        var batchSeconds = 60

        @Option(help: "A trained zstd dictionary file (from `telemetry train`).")
        var dictionary: String?

        @Option(name: .customLong("agent-id"), help: "Agent id written in each frame (default tx-001).")
        var agentID = "tx-001"

        func validate() throws {
            guard (1...3_600).contains(batchSeconds) else {
                throw ValidationError("--batch-seconds must be 1…3600; got \(batchSeconds)")
            }
        }

        func run() throws {
            let report: TelemetryPackReport
            do throws(TelemetryPackError) {
                let table = try TelemetryCSV.parse(try TelemetryPack.readText(path: input), fileName: input)
                var dictionaryBytes: (name: String, bytes: [UInt8])?
                if let dictionary { dictionaryBytes = (dictionary, try TelemetryPack.readBytes(path: dictionary)) }
                report = try TelemetryPack.pack(
                    table, fileName: input, batchSeconds: batchSeconds, agentID: agentID, dictionaryBytes: dictionaryBytes)
            } catch {
                throw TelemetryFailure(description: error.message)
            }
            print(report.text, terminator: "")
            guard report.roundTripExact else { throw ExitCode.failure }
        }
    }

    /// `v2g-adm telemetry train`: a zstd dictionary from a long CSV.
    struct Train: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Train a zstd dictionary on a telemetry CSV's batches (a few hours of data at least).",
            discussion: csvHelp
        )

        @Option(help: "Input CSV file.")
        var input: String

        @Option(help: "Dictionary file to write.")
        var output: String

        @Option(name: .customLong("batch-seconds"), help: "Batch window in seconds (default 60).")
        var batchSeconds = 60

        @Option(help: "Largest dictionary size in bytes (default 16384).")
        var capacity = 16_384

        func validate() throws {
            guard (1...3_600).contains(batchSeconds) else { throw ValidationError("--batch-seconds must be 1…3600") }
            guard (256...1 << 20).contains(capacity) else { throw ValidationError("--capacity must be 256…1048576") }
        }

        func run() throws {
            do throws(TelemetryPackError) {
                let table = try TelemetryCSV.parse(try TelemetryPack.readText(path: input), fileName: input)
                let bytes = try TelemetryPack.trainDictionary(
                    table, fileName: input, batchSeconds: batchSeconds, capacity: capacity)
                try TelemetryPack.writeBytes(bytes, path: output)
                print("wrote \(output): \(bytes.count) bytes")
            } catch {
                throw TelemetryFailure(description: error.message)
            }
        }
    }

    /// `v2g-adm telemetry synth`: the benchmark's synthetic feeder as CSV.
    struct Synth: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the seeded synthetic 26-channel 1 Hz feeder stream (the benchmark's) as telemetry CSV."
        )

        @Option(help: "Rows (seconds) to print (default 300).")
        var seconds = 300

        @Option(help: "Random seed (default 1).")
        var seed: UInt64 = 1

        func validate() throws {
            guard (1...604_800).contains(seconds) else { throw ValidationError("--seconds must be 1…604800") }
        }

        func run() {
            print(TelemetryPack.syntheticCSV(seconds: seconds, seed: seed), terminator: "")
        }
    }
}

/// The human message of a telemetry error, for ArgumentParser to print on stderr with a failing exit code.
private struct TelemetryFailure: Error, CustomStringConvertible {
    let description: String
}
