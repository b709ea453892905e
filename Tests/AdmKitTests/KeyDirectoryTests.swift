import AdmKit
import EdgeCrypto
import FoundationEssentials
import GridCore
import PolicyTrust
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A fresh folder under the temp directory, removed at the end of the test.
struct TrustScratch: ~Copyable {
    let path: String

    init() {
        path = FileManager.default.temporaryDirectory.appending(path: "v2g-trust-\(UInt64.random(in: 0...UInt64.max))").path
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func write(_ name: String, _ text: String) throws -> String {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let file = "\(path)/\(name)"
        try Data(text.utf8).write(to: URL(filePath: file))
        return file
    }
}

@Suite struct KeyDirectoryTests {
    static let now = Timestamp(rfc3339: "2026-06-01T00:00:00Z")!
    static let inAYear = Timestamp(rfc3339: "2027-06-01T00:00:00Z")!
    static let sizes = KeyDirectory.RoleSizes(
        keys: [.root: 3, .policy: 2, .envelope: 1], thresholds: [.root: 2, .policy: 2, .envelope: 1])

    static func mode(_ path: String) -> UInt32 {
        var info = stat()
        return stat(path, &info) == 0 ? UInt32(info.st_mode) & 0o777 : 0
    }

    @Test func initWritesARootSignedByItsThresholdAndOwnerOnlyKeys() throws {
        let scratch = TrustScratch()
        let directory = KeyDirectory(path: scratch.path + "/keys-a")
        let root = try directory.initialize(sizes: Self.sizes, expires: Self.inAYear, now: Self.now)
        #expect(root.version == 1 && root.document.threshold(.root) == 2 && root.document.threshold(.policy) == 2)
        let files = try directory.privateKeys()
        #expect(files.count == 6)
        for (id, file) in files {
            #expect(Self.mode(file.path) == 0o600)
            #expect(file.path.contains(String(id.prefix(16))))
        }
        #expect(Self.mode(directory.keysFolder) == 0o700)
        #expect(try directory.loadRoot().version == 1)
        #expect(FileManager.default.fileExists(atPath: directory.rootPath(version: 1)))
    }

    @Test func initRefusesToReplaceARoot() throws {
        let scratch = TrustScratch()
        let directory = KeyDirectory(path: scratch.path)
        try directory.initialize(sizes: Self.sizes, expires: Self.inAYear, now: Self.now)
        let error = #expect(throws: TrustToolError.self) {
            try directory.initialize(sizes: Self.sizes, expires: Self.inAYear, now: Self.now)
        }
        #expect(error?.message.contains("already exists") == true)
    }

    @Test func initRefusesImpossibleThresholds() {
        let scratch = TrustScratch()
        let sizes = KeyDirectory.RoleSizes(keys: [.root: 1, .policy: 2, .envelope: 1], thresholds: [.root: 1, .policy: 3, .envelope: 1])
        let error = #expect(throws: TrustToolError.self) {
            try KeyDirectory(path: scratch.path).initialize(sizes: sizes, expires: Self.inAYear, now: Self.now)
        }
        #expect(error?.message.hasPrefix("--policy-threshold: must be 1…2") == true, "\(String(describing: error?.message))")
    }

    @Test func rotationsChainFromVersionOne() throws {
        let scratch = TrustScratch()
        let directory = KeyDirectory(path: scratch.path)
        let v1 = try directory.initialize(sizes: Self.sizes, expires: Self.inAYear, now: Self.now)
        let oldPolicy = Set(v1.document.roles[.policy]!.keyIDs)
        let v2 = try directory.rotate(role: .policy, keyCount: 3, threshold: 2, expires: Self.inAYear, now: Self.now)
        let v3 = try directory.rotate(role: .root, keyCount: nil, threshold: nil, expires: Self.inAYear, now: Self.now)
        #expect(v3.version == 3 && v3.document.threshold(.root) == 2 && v3.document.roles[.root]!.keyIDs.count == 3)
        #expect(Set(v2.document.roles[.policy]!.keyIDs).isDisjoint(with: oldPolicy))
        // An agent holding version 1 walks the kept versions.
        var trusted = try TrustRoot(trusting: Array(try Data(contentsOf: URL(filePath: directory.rootPath(version: 1)))))
        for version in 2...3 {
            trusted = try trusted.rotated(to: Array(try Data(contentsOf: URL(filePath: directory.rootPath(version: version)))))
        }
        #expect(trusted.document.roles[.root] == v3.document.roles[.root])
        // Rotated-out keys are retired, not left among the signing keys.
        let current = Set(try directory.privateKeys().keys)
        #expect(current == Set(v3.document.keys.keys))
        #expect(FileManager.default.fileExists(atPath: directory.retiredFolder))
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: directory.retiredFolder)) ?? []).count == 2 + 3)
    }

    @Test func rotationNeedsAThresholdOfTheOldRootKeys() throws {
        let scratch = TrustScratch()
        let directory = KeyDirectory(path: scratch.path)
        let v1 = try directory.initialize(sizes: Self.sizes, expires: Self.inAYear, now: Self.now)
        let files = try directory.privateKeys()
        for id in v1.document.roles[.root]!.keyIDs.prefix(2) { try FileManager.default.removeItem(atPath: files[id]!.path) }
        let error = #expect(throws: TrustToolError.self) {
            try directory.rotate(role: .policy, keyCount: nil, threshold: nil, expires: Self.inAYear, now: Self.now)
        }
        #expect(error?.message.contains("needs 2 of its root keys") == true, "\(String(describing: error?.message))")
    }

    @Test func aKeyFileOthersCanReadIsRefused() throws {
        let scratch = TrustScratch()
        let directory = KeyDirectory(path: scratch.path)
        try directory.initialize(sizes: Self.sizes, expires: Self.inAYear, now: Self.now)
        let file = try #require(try directory.privateKeys().values.first).path
        #expect(chmod(file, 0o644) == 0)
        let error = #expect(throws: TrustToolError.self) { try directory.privateKeys() }
        #expect(error?.message.contains("mode 0644") == true, "\(String(describing: error?.message))")
    }

    @Test func listingNamesRolesThresholdsAndFiles() throws {
        let scratch = TrustScratch()
        let directory = KeyDirectory(path: scratch.path)
        let root = try directory.initialize(sizes: Self.sizes, expires: Self.inAYear, now: Self.now)
        let text = KeyListing.text(root: root, keyFiles: try directory.privateKeys().mapValues(\.path), previousVersions: [1], now: Self.now)
        #expect(text.hasPrefix("root version 1, expires 2027-06-01T00:00:00Z (valid)\nrole root: threshold 2 of 3\n"), "\(text)")
        #expect(text.contains("role envelope: threshold 1 of 1, envelopes valid at most 300 s"))
        #expect(text.contains("/keys/policy-"))
        #expect(KeyListing.text(root: root, keyFiles: [:], previousVersions: [], now: Self.inAYear).contains("(EXPIRED)"))
    }
}
