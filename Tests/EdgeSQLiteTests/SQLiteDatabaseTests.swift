import EdgeSQLite
import Testing

@Suite("SQLite database")
struct SQLiteDatabaseTests {
    static let values: [SQLiteValue] = [
        .null, .integer(0), .integer(-1), .integer(.min), .integer(.max),
        .real(0), .real(-2.5), .real(.pi), .real(1e308), .real(-.leastNonzeroMagnitude), .real(.infinity),
        .text(""), .text("hot-spot 98 °C"), .text("変圧器 ⚡️ 🚗🔌"), .text("nul\u{0}inside"),
        .blob([]), .blob([0]), .blob((0...255).map { UInt8($0) }),
    ]

    @Test("every value type roundtrips", arguments: values)
    func roundtrip(value: SQLiteValue) throws {
        try withTemporaryDirectory { dir in
            let db = try SQLiteDatabase(path: dir + "/v.db")
            try db.execute("CREATE TABLE t(v)")  // no declared type: no affinity conversion
            let insert = try db.prepare("INSERT INTO t(v) VALUES (?)")
            try insert.bind(value)
            #expect(try insert.step() == false)
            let select = try db.prepare("SELECT v, typeof(v) FROM t")
            #expect(try select.step())
            #expect(select.value(at: 0) == value)
            #expect(select.isNull(at: 0) == (value == .null))
            switch value {
            case .null: #expect(select.string(at: 1) == "null")
            case .integer(let int): #expect(select.int64(at: 0) == int)
            case .real(let double): #expect(select.double(at: 0) == double)
            case .text(let text): #expect(select.string(at: 0) == text)
            case .blob(let bytes):
                #expect(select.blob(at: 0) == bytes)
                #expect(select.string(at: 1) == "blob")
            }
            #expect(try select.step() == false)
        }
    }

    @Test("named and positional bindings, with mismatches refused")
    func bindings() throws {
        let db = try SQLiteDatabase(path: ":memory:")
        try db.execute("CREATE TABLE charger(id TEXT PRIMARY KEY, kilowatts REAL)")
        let insert = try db.prepare("INSERT INTO charger VALUES (:id, :kw)")
        try insert.bind(named: [":id": "cp-1", ":kw": 11.0])
        _ = try insert.step()
        #expect(db.changes == 1)
        try insert.bind(named: [":id": "cp-2", ":kw": 22.0])
        _ = try insert.step()
        #expect(db.lastInsertRowID == 2)
        #expect(throws: SQLiteError.self) { try insert.bind(named: [":nope": 1]) }
        #expect(throws: SQLiteError.self) { try insert.bind(.text("cp-3")) }
        let select = try db.prepare("SELECT id FROM charger WHERE kilowatts > ? ORDER BY id")
        try select.bind(10.0)
        #expect(try select.rows { $0.string(at: 0) } == ["cp-1", "cp-2"])
        try select.bind(20.0)
        #expect(try select.rows { $0.string(at: 0) } == ["cp-2"])
    }

    @Test("prepare refuses a second statement and empty SQL")
    func prepareOneStatement() throws {
        let db = try SQLiteDatabase(path: ":memory:")
        #expect(throws: SQLiteError.self) { try db.prepare("SELECT 1; SELECT 2") }
        #expect(throws: SQLiteError.self) { try db.prepare("  -- nothing ") }
        #expect(try db.prepare("SELECT 1; -- trailing comment").rows { $0.int64(at: 0) } == [1])
    }

    @Test("a throwing transaction rolls back, a returning one commits")
    func transactions() throws {
        struct Abort: Error {}
        try withTemporaryDirectory { dir in
            let db = try SQLiteDatabase(path: dir + "/t.db")
            try db.execute("CREATE TABLE q(n INTEGER)")
            #expect(throws: Abort.self) {
                try db.transaction {
                    try db.execute("INSERT INTO q VALUES (1); INSERT INTO q VALUES (2)")
                    throw Abort()
                }
            }
            let count = try db.prepare("SELECT count(*) FROM q")
            #expect(try count.rows { $0.int64(at: 0) } == [0])
            let sum = try db.transaction { () throws -> Int in
                try db.execute("INSERT INTO q VALUES (3)")
                return db.changes
            }
            #expect(sum == 1)
            #expect(try count.rows { $0.int64(at: 0) } == [1])
            let nested = #expect(throws: SQLiteError.self) {
                try db.transaction { try db.transaction { try db.execute("INSERT INTO q VALUES (4)") } }
            }
            #expect(nested?.label == "sqlite_misuse")
            #expect(try count.rows { $0.int64(at: 0) } == [1])
        }
    }

    @Test("WAL is on, user_version persists, quick_check passes")
    func pragmas() throws {
        try withTemporaryDirectory { dir in
            let path = dir + "/p.db"
            do {
                let db = try SQLiteDatabase(path: path)
                #expect(try db.journalMode() == "wal")
                #expect(try db.prepare("PRAGMA foreign_keys").rows { $0.int64(at: 0) } == [1])
                #expect(try db.prepare("PRAGMA synchronous").rows { $0.int64(at: 0) } == [1])  // 1 = NORMAL
                #expect(try db.userVersion() == 0)
                try db.setUserVersion(42)
            }
            let reopened = try SQLiteDatabase(path: path, readOnly: true)
            #expect(try reopened.journalMode() == "wal")
            #expect(try reopened.userVersion() == 42)
            #expect(try reopened.quickCheck() == [])
            #expect(try reopened.quickCheck(full: true) == [])
            #expect(throws: SQLiteError.self) { try reopened.execute("CREATE TABLE x(a)") }
        }
    }

    @Test("a statement outlives its last database reference")
    func statementKeepsDatabaseAlive() throws {
        var db: SQLiteDatabase? = try SQLiteDatabase(path: ":memory:")
        let statement = try db!.prepare("SELECT 40 + 2")
        db = nil
        #expect(try statement.rows { $0.int64(at: 0) } == [42])
    }

    @Test("a statement used after close() throws isClosed instead of crashing")
    func statementAfterClose() throws {
        try withTemporaryDirectory { dir in
            let db = try SQLiteDatabase(path: dir + "/c.db")
            try db.execute("CREATE TABLE t(a); INSERT INTO t VALUES (7)")
            let select = try db.prepare("SELECT a FROM t")
            #expect(try select.step())
            db.close()
            #expect(!db.isOpen)
            _ = select.int64(at: 0)  // the statement itself is still valid memory until finalized
            let error = #expect(throws: SQLiteError.self) { try select.step() }
            #expect(error?.isClosed == true)
            #expect(throws: SQLiteError.self) { try select.bind(.integer(1)) }
            #expect(throws: SQLiteError.self) { try db.prepare("SELECT 1") }
            #expect(throws: SQLiteError.self) { try db.execute("SELECT 1") }
        }
    }
}
