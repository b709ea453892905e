/// Health checks and schema version pragmas (sqlite.org/pragma.html).
extension SQLiteDatabase {
    /// Problems found by `PRAGMA quick_check` (or `integrity_check` when `full`); empty when the database is sound.
    ///
    /// quick_check skips index-content verification, so it is O(N) and fit for every start-up.
    public func quickCheck(full: Bool = false) throws -> [String] {
        let rows = try prepare(full ? "PRAGMA integrity_check" : "PRAGMA quick_check").rows { $0.string(at: 0) }
        return rows == ["ok"] ? [] : rows
    }

    /// `PRAGMA user_version`: a free 32-bit integer in the file header.
    public func userVersion() throws -> Int32 {
        let statement = try prepare("PRAGMA user_version")
        return try statement.rows { Int32(truncatingIfNeeded: $0.int64(at: 0)) }.first ?? 0
    }

    /// Sets `PRAGMA user_version` (pragmas take no bound parameters, so the integer is formatted in).
    public func setUserVersion(_ version: Int32) throws {
        try execute("PRAGMA user_version = \(version)")
    }

    /// The journal mode in effect (`"wal"` after a read-write open).
    public func journalMode() throws -> String {
        try prepare("PRAGMA journal_mode").rows { $0.string(at: 0) }.first ?? ""
    }
}
