import FoundationEssentials
import SunSpec
import Testing

/// The images under Tests/peers/sunspec/fixtures are what serve_image.py serves to pysunspec2 and to the agent.
/// They must be exactly what the builder makes today; SUNSPEC_WRITE_FIXTURES=1 rewrites them after a deliberate change.
@Suite struct PeerFixtureTests {
    static let directory = URL(filePath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appending(path: "peers/sunspec/fixtures")

    @Test(arguments: ["charger", "meter203"])
    func fixtureMatchesTheBuilder(name: String) throws {
        let image = name == "charger" ? try Images.charger() : try Images.meter203()
        let url = Self.directory.appending(path: "\(name).json")
        if ProcessInfo.processInfo.environment["SUNSPEC_WRITE_FIXTURES"] == "1" {
            try Data((image.json + "\n").utf8).write(to: url)
        }
        let stored = String(decoding: try Data(contentsOf: url), as: UTF8.self)
        #expect(stored == image.json + "\n")
    }
}
