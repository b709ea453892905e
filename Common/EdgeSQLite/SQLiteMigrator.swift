/// Named schema migrations applied in registration order, each once, each in its own transaction
/// (the model is GRDB's `DatabaseMigrator`).
///
/// Applied names are recorded in the table `edge_migrations`. A database recording a name this
/// program does not register was written by a newer version; `migrate` refuses it rather than guess.
public struct SQLiteMigrator: Sendable {
    /// One migration step; it receives the database inside an open transaction (so it must not call `transaction`).
    public typealias Body = @Sendable (SQLiteDatabase) throws -> Void

    private var migrations: [(name: String, body: Body)] = []

    public init() {}

    /// Appends a migration. Names must be unique and must never change once shipped.
    public mutating func registerMigration(_ name: String, _ body: @escaping Body) {
        precondition(!migrations.contains { $0.name == name }, "migration \(name) registered twice")
        migrations.append((name, body))
    }

    /// Registered names, in order.
    public var migrationNames: [String] { migrations.map(\.name) }

    /// Names already applied to `database`, in the order they were applied.
    public func appliedMigrations(in database: SQLiteDatabase) throws -> [String] {
        try createTable(in: database)
        return try database.prepare("SELECT name FROM edge_migrations ORDER BY rowid").rows { $0.string(at: 0) }
    }

    /// Applies every pending migration; throws `isUnknownMigration` for a database from a newer version.
    public func migrate(_ database: SQLiteDatabase) throws {
        let applied = try appliedMigrations(in: database)
        let known = Set(migrationNames)
        let unknown = applied.filter { !known.contains($0) }
        guard unknown.isEmpty else { throw SQLiteError.unknownMigration(unknown, path: database.path) }
        let done = Set(applied)
        for migration in migrations where !done.contains(migration.name) {
            try database.transaction {
                try migration.body(database)
                let insert = try database.prepare("INSERT INTO edge_migrations(name) VALUES (?)")
                try insert.bind(.text(migration.name))
                _ = try insert.step()
            }
        }
    }

    private func createTable(in database: SQLiteDatabase) throws {
        try database.execute("CREATE TABLE IF NOT EXISTS edge_migrations (name TEXT PRIMARY KEY NOT NULL)")
    }
}
