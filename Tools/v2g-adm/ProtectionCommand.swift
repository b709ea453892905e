import AdmKit
import ArgumentParser
import GridCore

/// `v2g-adm protection …`: work with the IEEE 1547 trip and ride-through functions.
struct Protection: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "IEEE 1547 protection: trips, ride-through and momentary cessation (Categories I, II, III).",
        subcommands: [Respond.self]
    )
}

extension Protection {
    /// `v2g-adm protection respond`: the agent's protection step on a voltage and frequency trace.
    struct Respond: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the protection step's verdict at every cycle of a voltage and frequency trace.",
            discussion: """
                Input CSV: header t_s,va_pu,vb_pu,vc_pu,f_hz with an optional last column meter (live, the \
                default; frozen: the meter repeats its previous reading with a fresh timestamp; missing: no \
                reading). Times strictly increasing, voltages 0–2 pu, frequency 40–70 Hz; each row holds until the \
                next; blank lines and lines starting with # are skipped. The bench samples at t0 + k·p from the \
                first row's time to the last row's, one reading per sample. Output CSV on stdout: t_s,verdict,codes \
                with verdict normal, safe, cease (tripped: ceased until enter service) or momentary_cessation, and \
                the protection codes raised that cycle separated by ";". See docs/protection.md.
                """
        )

        @Option(help: "Input CSV file.")
        var input: String

        @Option(help: "Policy JSON file (default: the built-in policy); checked exactly as the agent checks it.")
        var policy: String?

        @Option(help: "IEEE 1547 abnormal operating performance category: I, II or III (overrides the policy's).")
        var category: String?

        @Option(name: .customLong("cycle-period"), help: "Cycle period in seconds, 0.1–10 (overrides the policy's).")
        var cyclePeriodS: Double?

        func validate() throws {
            if let category, AbnormalCategory(text: category) == nil {
                throw ValidationError("--category must be I, II or III; got \"\(category)\"")
            }
        }

        func run() throws {
            do {
                let bench = try ProtectionBench.configured(
                    policyPath: policy, category: category.flatMap(AbnormalCategory.init(text:)), cyclePeriodS: cyclePeriodS)
                if let notice = bench.clearingNotice { writeStandardError("note: \(notice)\n") }
                print(try bench.respond(csv: try ProtectionBench.readInput(path: input), fileName: input), terminator: "")
            } catch {
                // ArgumentParser prints a thrown error's description; ProtectionBenchError's is a metric label.
                throw ProtectionFailure(description: error.message)
            }
        }
    }
}

/// The human message of a bench error, for ArgumentParser to print on stderr with a failing exit code.
private struct ProtectionFailure: Error, CustomStringConvertible {
    let description: String
}
