import ArgumentParser

/// The operator CLI. Each area adds its command to `subcommands`.
@main
struct V2GAdm: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "v2g-adm",
        abstract: "Operator tools for v2g-edge.",
        subcommands: [Thermal.self, Curve.self, Telemetry.self, Protection.self, Keys.self, Policy.self, Rollout.self, Roots.self, Audit.self, Dispatch.self]
    )
}
