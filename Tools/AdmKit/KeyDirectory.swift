public import EdgeCrypto
public import GridCore
public import PolicyTrust

/// An operator's key folder, as `v2g-adm keys` keeps it:
///   DIR/root.json            the newest root (a DSSE envelope), what agents and the aggregator trust
///   DIR/roots/N.json         every root version, so that an agent can walk the chain N → N+1 → …
///   DIR/keys/ROLE-ID.pem     private keys (PKCS#8 PEM, 0600) by role and the first 16 hex digits of the key id
///   DIR/keys/retired/        keys rotated out of every role (destroy them once the rotation is out)
public struct KeyDirectory: Sendable {
    public let path: String

    public init(path: String) {
        self.path = path
    }

    public var rootPath: String { "\(path)/root.json" }
    public var rootsFolder: String { "\(path)/roots" }
    public var keysFolder: String { "\(path)/keys" }
    public var retiredFolder: String { "\(keysFolder)/retired" }
    public func rootPath(version: Int) -> String { "\(rootsFolder)/\(version).json" }
    public func keyPath(role: TrustRole, keyID: String) -> String { "\(keysFolder)/\(role.rawValue)-\(keyID.prefix(16)).pem" }

    /// How many keys each role gets, and its threshold.
    public struct RoleSizes: Sendable {
        public var keys: [TrustRole: Int]
        public var thresholds: [TrustRole: Int]

        public init(keys: [TrustRole: Int], thresholds: [TrustRole: Int]) {
            self.keys = keys
            self.thresholds = thresholds
        }

        func check() throws(TrustToolError) {
            for role in TrustRole.allCases {
                let count = keys[role] ?? 1
                let threshold = thresholds[role] ?? 1
                guard (1...20).contains(count) else { throw .badOption("--\(role.rawValue)-keys", "must be 1…20, got \(count)") }
                guard (1...count).contains(threshold) else {
                    throw .badOption("--\(role.rawValue)-threshold", "must be 1…\(count) (the role's key count), got \(threshold)")
                }
            }
        }
    }

    /// Creates DIR/root.json (version 1, signed by every root key) and the private keys. Refuses to replace
    /// an existing root.json.
    @discardableResult
    public func initialize(sizes: RoleSizes, expires: Timestamp, now: Timestamp) throws(TrustToolError) -> TrustRoot {
        try sizes.check()
        guard !TrustFiles.exists(rootPath) else {
            throw .exists(rootPath, "refusing to replace a root of trust; use `v2g-adm keys rotate` to change keys")
        }
        guard expires > now else { throw .badOption("--expires", "\(expires.rfc3339) is not in the future") }
        var generated: [TrustRole: [Ed25519PrivateKey]] = [:]
        for role in TrustRole.allCases { generated[role] = try Self.generate(sizes.keys[role] ?? 1) }
        let roles = Dictionary(uniqueKeysWithValues: TrustRole.allCases.map { role in
            (role, RoleKeys(keyIDs: generated[role]!.map(\.publicKey.keyID), threshold: sizes.thresholds[role] ?? 1))
        })
        let document = RootDocument(
            version: 1, expires: expires, keys: generated.values.flatMap { $0.map(\.publicKey) }, roles: roles)
        let bytes = try Self.sign(document, with: generated[.root]!)
        let root: TrustRoot
        do {
            root = try TrustRoot(trusting: bytes)
        } catch {
            throw .refused("the new root", error.description)
        }
        try TrustFiles.makeFolder(path, mode: 0o755)
        try TrustFiles.makeFolder(keysFolder, mode: 0o700)
        try TrustFiles.makeFolder(rootsFolder, mode: 0o755)
        for (role, keys) in generated {
            for key in keys { try write(key, to: keyPath(role: role, keyID: key.publicKey.keyID)) }
        }
        try TrustFiles.write(bytes, to: rootPath(version: 1), exclusive: true)
        try TrustFiles.write(bytes, to: rootPath, exclusive: true)
        return root
    }

    /// Writes root version N+1 in which `role` has `keyCount` fresh keys (default: as many as now) and
    /// `threshold` (default: as now, at most the key count), signed by the root keys of version N found in
    /// DIR/keys (a threshold of them) and, for a root rotation, by the new root keys. Keeps DIR/roots/N+1.json,
    /// replaces DIR/root.json, and moves keys no role uses any more to DIR/keys/retired/.
    @discardableResult
    public func rotate(
        role: TrustRole, keyCount: Int?, threshold: Int?, expires: Timestamp, now: Timestamp
    ) throws(TrustToolError) -> TrustRoot {
        let current = try loadRoot()
        let count = keyCount ?? current.document.roles[role]?.keyIDs.count ?? 1
        let newThreshold = threshold ?? min(current.document.threshold(role), count)
        try RoleSizes(keys: [role: count], thresholds: [role: newThreshold]).check()
        guard expires > now else { throw .badOption("--expires", "\(expires.rfc3339) is not in the future") }

        let available = try privateKeys()
        let oldRootKeys = current.document.roleKeys(.root).keys.sorted().compactMap { available[$0]?.key }
        guard oldRootKeys.count >= current.document.threshold(.root) else {
            throw .notEnoughKeys(
                "root version \(current.version) needs \(current.document.threshold(.root)) of its root keys to sign a rotation; \(oldRootKeys.count) found in \(keysFolder)")
        }
        let fresh = try Self.generate(count)
        var next = current.document
        next.version += 1
        next.expires = expires
        next.roles[role] = RoleKeys(keyIDs: fresh.map(\.publicKey.keyID), threshold: newThreshold)
        for key in fresh { next.keys[key.publicKey.keyID] = key.publicKey }
        let inUse = Set(next.roles.values.flatMap(\.keyIDs))
        next.keys = next.keys.filter { inUse.contains($0.key) }

        let signers = role == .root ? oldRootKeys + fresh : oldRootKeys
        let bytes = try Self.sign(next, with: signers)
        let rotated: TrustRoot
        do {
            rotated = try current.rotated(to: bytes)
        } catch {
            throw .refused("the rotated root", error.description)
        }
        for key in fresh { try write(key, to: keyPath(role: role, keyID: key.publicKey.keyID)) }
        try TrustFiles.write(bytes, to: rootPath(version: next.version), exclusive: true)
        try TrustFiles.write(bytes, to: rootPath)
        try TrustFiles.makeFolder(retiredFolder, mode: 0o700)
        for (id, file) in available where !inUse.contains(id) {
            try TrustFiles.move(file.path, to: "\(retiredFolder)/\(file.path.split(separator: "/").last ?? "key.pem")")
        }
        return rotated
    }

    /// DIR/root.json, checked (signed by a threshold of its own root keys).
    public func loadRoot() throws(TrustToolError) -> TrustRoot {
        try Self.loadRoot(path: rootPath)
    }

    /// A root file, checked (signed by a threshold of its own root keys).
    public static func loadRoot(path: String) throws(TrustToolError) -> TrustRoot {
        let bytes = try TrustFiles.read(path)
        do {
            return try TrustRoot(trusting: bytes)
        } catch {
            throw .refused(path, error.description)
        }
    }

    /// The private keys in DIR/keys (not retired), by key id. A key file that group or others can read is
    /// refused, not skipped.
    public func privateKeys() throws(TrustToolError) -> [String: (path: String, key: Ed25519PrivateKey)] {
        var found: [String: (path: String, key: Ed25519PrivateKey)] = [:]
        for name in TrustFiles.list(keysFolder) where name.hasSuffix(".pem") {
            let file = "\(keysFolder)/\(name)"
            let key = try Self.loadKey(file)
            found[key.publicKey.keyID] = (file, key)
        }
        return found
    }

    /// One private key file (0600 or tighter).
    public static func loadKey(_ path: String) throws(TrustToolError) -> Ed25519PrivateKey {
        do {
            return try Ed25519PrivateKey(pemFile: path)
        } catch {
            throw .badKey(path, (error as? CryptoError)?.message ?? "\(error)")
        }
    }

    private func write(_ key: Ed25519PrivateKey, to file: String) throws(TrustToolError) {
        guard !TrustFiles.exists(file) else { throw .exists(file, "refusing to replace a private key") }
        do {
            try key.write(toPEMFile: file)
        } catch {
            throw .unwritable(file, (error as? CryptoError)?.message ?? "\(error)")
        }
    }

    private static func generate(_ count: Int) throws(TrustToolError) -> [Ed25519PrivateKey] {
        do {
            return try (0..<count).map { _ in try Ed25519PrivateKey.generate() }
        } catch {
            throw .badKey("(new key)", "\(error)")
        }
    }

    private static func sign(_ document: RootDocument, with keys: [Ed25519PrivateKey]) throws(TrustToolError) -> [UInt8] {
        do {
            return try document.signed(by: keys)
        } catch {
            throw .badKey("(signing)", "\(error)")
        }
    }
}
