import ArgumentParser

/// The operator CLI's root command.
@main
struct V2GAdm: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "v2g-adm",
        abstract: "Operator tools for v2g-edge.",
        subcommands: [Thermal.self]
    )
}
