import AdmKit
import ArgumentParser
import FoundationEssentials
import GridCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `v2g-adm thermal …`: the IEC 60076-7 top-oil and hot-spot model.
struct Thermal: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "IEC 60076-7 top-oil and hot-spot model tools.",
        subcommands: [Simulate.self]
    )

    /// `v2g-adm thermal simulate`: runs a load profile through the model and prints a CSV per minute.
    struct Simulate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Simulate top-oil, hot-spot and ageing rate over a load profile.",
            discussion: """
                The input CSV has the header 'minute,load_pu,ambient_c'; each row's load (per unit of rated |S|, \
                0…5) and ambient (°C, −50…60) hold until the next row, and minutes strictly increase. Blank lines \
                and '#' comments are skipped. Output, on stdout, is 'minute,top_oil_c,hot_spot_c,ageing_rate' for \
                every whole minute from the first row's minute to the last row's.
                The transformer JSON uses the IEC 60076-7 keys (delta_theta_or, delta_theta_hr, tau_o_min, \
                tau_w_min, R, x, y, k11, k21, k22, initial_top_oil_c, initial_hot_spot_rise); missing keys take \
                the ONAN distribution defaults. Without initial_top_oil_c the run starts in the steady state of \
                the first row.
                """
        )

        @Option(name: .long, help: "The load profile CSV.")
        var input: String

        @Option(name: .long, help: "Transformer thermal parameters JSON (default: ONAN distribution).")
        var transformer: String?

        @Option(name: .long, help: "Insulating paper for the ageing rate: normal or upgraded.")
        var paper: PaperChoice = .normal

        func run() throws {
            do {
                let csv = String(decoding: try Self.read(input), as: UTF8.self)
                let json = try transformer.map { path throws(ThermalInputError) in try Self.read(path) }
                let out = try ThermalSimulation.simulate(
                    csv: csv, csvName: input, transformerJSON: json,
                    transformerName: transformer ?? "ONAN defaults", paper: paper.paper
                )
                print(out, terminator: "")
            } catch {
                writeStandardError("v2g-adm thermal simulate: \(error.message)\n")
                throw ExitCode.failure
            }
        }

        /// The operating system's words for a failed read (e.g. "No such file or directory").
        private static func reason(_ error: any Error) -> String {
            if let cocoa = error as? CocoaError, let posix = cocoa.userInfo["NSUnderlyingError"] as? POSIXError {
                return String(cString: strerror(posix.code.rawValue))
            }
            return "\(error)"
        }

        private static func read(_ path: String) throws(ThermalInputError) -> [UInt8] {
            do {
                return [UInt8](try Data(contentsOf: URL(filePath: path)))
            } catch {
                throw .unreadableFile(path, reason: Self.reason(error))
            }
        }
    }

    /// The `--paper` values.
    enum PaperChoice: String, ExpressibleByArgument, CaseIterable {
        case normal
        case upgraded

        var paper: HotSpotModel.Paper {
            switch self {
            case .normal: .normal
            case .upgraded: .thermallyUpgraded
            }
        }
    }
}
