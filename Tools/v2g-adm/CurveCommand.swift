import AdmKit
import ArgumentParser
import GridCore

/// `v2g-adm curve …`: work with the IEEE 1547 curve functions.
struct Curve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "IEEE 1547 curve functions (Volt-VAR, Volt-Watt, frequency droop).",
        subcommands: [Respond.self]
    )
}

extension Curve {
    /// `v2g-adm curve respond`: a one-function test bench, as in IEEE 1547.1.
    struct Respond: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a curve function's time response to a voltage or frequency series.",
            discussion: """
                Input CSV: header t_s,v_pu (volt-var, volt-watt) or t_s,f_hz (freq-droop), times strictly \
                increasing, v_pu 0–2, f_hz 40–70; blank lines and lines starting with # are skipped. Each sample \
                holds until the next. Output CSV on stdout: t_s,q_pu (volt-var: Q in pu of nameplate VA, + = \
                injection) or t_s,p_pu (volt-watt: discharge limit in pu of rating; freq-droop: change in net \
                export in pu of rating), one row per input time, with the open-loop response (90 % of a step at \
                Tr), starting in steady state at the first sample.
                Curve JSON keys are snake_case: see examples/curves/README.md.
                """
        )

        @Option(help: "Function under test: volt-var, volt-watt or freq-droop.")
        var curve: String

        @Option(help: "IEEE 1547 category for volt-var defaults and reactive capability: A or B (default B).")
        var category: String?

        @Option(name: .customLong("curve-file"), help: "Curve settings as JSON, instead of the defaults.")
        var curveFile: String?

        @Option(help: "Input CSV file.")
        var input: String

        func validate() throws {
            guard CurveFunction(rawValue: curve) != nil else {
                throw ValidationError("--curve must be one of volt-var, volt-watt, freq-droop; got \"\(curve)\"")
            }
            if let category {
                guard PerformanceCategory(rawValue: category.uppercased()) != nil else {
                    throw ValidationError("--category must be A or B; got \"\(category)\"")
                }
                guard curve == CurveFunction.voltVar.rawValue else {
                    throw ValidationError("--category applies to volt-var only")
                }
            }
        }

        func run() throws {
            do {
                let function = CurveFunction(rawValue: curve) ?? .voltVar
                let curveJSON = try curveFile.map { (name: $0, contents: try CurveBench.readText(path: $0)) }
                let bench = try CurveBench.configured(
                    function: function,
                    category: category.flatMap { PerformanceCategory(rawValue: $0.uppercased()) },
                    curveFile: curveJSON
                )
                print(try bench.respond(csv: try CurveBench.readText(path: input), fileName: input), terminator: "")
            } catch let error as CurveBenchError {
                // ArgumentParser prints a thrown error's description; CurveBenchError's is a metric label.
                throw RespondFailure(description: error.message)
            }
        }
    }
}

/// The human message of a bench error, for ArgumentParser to print on stderr with a failing exit code.
private struct RespondFailure: Error, CustomStringConvertible {
    let description: String
}
