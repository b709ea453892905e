@testable import AgentKit
import FoundationEssentials
import GridCore
import Logging

/// A fresh directory under /tmp for one test, removed when the test ends.
final class TemporaryDirectory {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.path + "/v2g-agentkit-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func file(_ name: String) -> String { "\(path)/\(name)" }

    func names() throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: path).sorted() }
}

enum CacheFixtures {
    static let logger = Logger(label: "test.agent-cache", factory: { _ in SwiftLogNoOpLogHandler() })

    static let root = "/" + #filePath.split(separator: "/").dropLast(3).joined(separator: "/")

    /// A cycle state as the real cycle leaves it: thermal model warmed, filters and writes set.
    static func warmState() throws -> (CycleState, Timestamp) {
        let snapshot = try ConfigFile.load(PlanSnapshot.self, path: "\(root)/examples/snapshots/evening-unbalanced.json")
        let cycle = ControlCycle(policy: ControlPolicy())
        var state = snapshot.state
        var time = snapshot.time
        for _ in 0..<5 {
            state = cycle.run(state, inputs: snapshot.inputs, now: time).state
            time = time + 1
        }
        return (state, time)
    }

    static func policy(version: Int, ratedKVA: Double = 100) -> ControlPolicy {
        var policy = ControlPolicy(version: version)
        policy.transformer.ratedKVA = ratedKVA
        return policy
    }
}
