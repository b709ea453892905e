import FoundationEssentials
@testable import SimKit
import Testing

@Suite("The ambient control file")
struct AmbientControlFileTests {
    static let ids: Set<String> = ["tx-a", "tx-b"]

    @Test("each version sets every transformer's adjustment")
    func parse() throws {
        let text = "{\"ambient\": {\"tx-a\": {\"rise_k\": 15}, \"tx-b\": {\"ambient_c\": 38.5}}}"
        let parsed = try AmbientControlFile.parse(Array(text.utf8), path: "c.json", transformerIDs: Self.ids)
        #expect(parsed == ["tx-a": .rise(kelvin: 15), "tx-b": .held(celsius: 38.5)])
        #expect(try AmbientControlFile.parse(Array("{}".utf8), path: "c.json", transformerIDs: Self.ids).isEmpty)
    }

    @Test("a bad version names the file and the field", arguments: [
        ("{\"ambient\": {\"tx-z\": {\"rise_k\": 1}}}", "ambient.tx-z"),
        ("{\"ambient\": {\"tx-a\": {\"rise_k\": 1, \"ambient_c\": 30}}}", "ambient.tx-a"),
        ("{\"ambient\": {\"tx-a\": {\"rise_k\": 100}}}", "ambient.tx-a.rise_k"),
        ("{\"ambient\": {\"tx-a\": {\"rise\": 1}}}", "ambient.tx-a.rise"),
        ("{\"heat\": {}}", "heat"),
        ("{\"ambient\": ", ""),
    ])
    func bad(text: String, field: String) {
        let error = #expect(throws: NeighborhoodError.self) {
            try AmbientControlFile.parse(Array(text.utf8), path: "c.json", transformerIDs: Self.ids)
        }
        #expect(error?.field == field, "\(error?.message ?? "no error")")
        #expect(error?.message.hasPrefix("c.json: ") == true && error?.description == "neighborhood_control_invalid")
    }

    @Test("polling reads a new version once, an absent file as no adjustments, a bad one as its error")
    func polling() throws {
        let n = try NeighborhoodFixtures.decode(NeighborhoodFixtures.json())
        let path = "/tmp/v2g-sim-control-\(UInt64.random(in: 0...UInt64.max)).json"
        defer { _ = try? FileManager.default.removeItem(atPath: path) }
        var control = AmbientControlFile(path: path, neighborhood: n)
        #expect(try control.poll()?.get() == [:])
        #expect(control.poll() == nil)
        try Data("{\"ambient\": {\"tx-b\": {\"rise_k\": 9}}}".utf8).write(to: URL(filePath: path), options: .atomic)
        #expect(try control.poll()?.get() == ["tx-b": .rise(kelvin: 9)])
        #expect(control.poll() == nil)
        try Data("{\"ambient\": {\"tx-q\": {}}}".utf8).write(to: URL(filePath: path), options: .atomic)
        guard case .failure(let error)? = control.poll() else { Issue.record("a bad version must give its error"); return }
        #expect(error.path == path && error.field == "ambient.tx-q")
        try FileManager.default.removeItem(atPath: path)
        #expect(try control.poll()?.get() == [:])
    }
}
