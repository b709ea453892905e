import EdgeSQLite
import Testing

@Suite("SQLite migrations")
struct SQLiteMigratorTests {
    /// m2 needs m1's table, and each logs its name, so order and count are both observable.
    static var migrator: SQLiteMigrator {
        var migrator = SQLiteMigrator()
        migrator.registerMigration("m1-log") { db in
            try db.execute("CREATE TABLE log(name TEXT NOT NULL); INSERT INTO log VALUES ('m1')")
        }
        migrator.registerMigration("m2-queue") { db in
            try db.execute("CREATE TABLE queue(seq INTEGER PRIMARY KEY); INSERT INTO log VALUES ('m2')")
        }
        return migrator
    }

    static func log(_ db: SQLiteDatabase) throws -> [String] {
        try db.prepare("SELECT name FROM log ORDER BY rowid").rows { $0.string(at: 0) }
    }

    @Test("migrations run once, in order, and not again after reopening")
    func runOnce() throws {
        try withTemporaryDirectory { dir in
            let path = dir + "/m.db"
            do {
                let db = try SQLiteDatabase(path: path)
                try Self.migrator.migrate(db)
                try Self.migrator.migrate(db)
                #expect(try Self.log(db) == ["m1", "m2"])
            }
            let db = try SQLiteDatabase(path: path)
            try Self.migrator.migrate(db)
            #expect(try Self.log(db) == ["m1", "m2"])
            #expect(try Self.migrator.appliedMigrations(in: db) == ["m1-log", "m2-queue"])
        }
    }

    @Test("a new migration runs on an old database")
    func pendingOnly() throws {
        try withTemporaryDirectory { dir in
            let db = try SQLiteDatabase(path: dir + "/m.db")
            try Self.migrator.migrate(db)
            var newer = Self.migrator
            newer.registerMigration("m3-index") { db in
                try db.execute("CREATE INDEX queue_seq ON queue(seq); INSERT INTO log VALUES ('m3')")
            }
            try newer.migrate(db)
            #expect(try Self.log(db) == ["m1", "m2", "m3"])
        }
    }

    @Test("a failing migration leaves no trace")
    func failingMigration() throws {
        struct Broken: Error {}
        try withTemporaryDirectory { dir in
            let db = try SQLiteDatabase(path: dir + "/m.db")
            var migrator = Self.migrator
            migrator.registerMigration("m3-broken") { db in
                try db.execute("CREATE TABLE half(a); INSERT INTO log VALUES ('m3')")
                throw Broken()
            }
            #expect(throws: Broken.self) { try migrator.migrate(db) }
            #expect(try migrator.appliedMigrations(in: db) == ["m1-log", "m2-queue"])
            #expect(try Self.log(db) == ["m1", "m2"])
            #expect(try db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'half'").rows { $0.int64(at: 0) } == [0])
        }
    }

    @Test("a database from a newer version is refused")
    func unknownMigration() throws {
        try withTemporaryDirectory { dir in
            let db = try SQLiteDatabase(path: dir + "/m.db")
            try Self.migrator.migrate(db)
            var older = SQLiteMigrator()
            older.registerMigration("m1-log") { _ in }
            let error = #expect(throws: SQLiteError.self) { try older.migrate(db) }
            #expect(error?.isUnknownMigration == true)
            #expect(error?.description.contains("m2-queue") == true)
        }
    }
}
