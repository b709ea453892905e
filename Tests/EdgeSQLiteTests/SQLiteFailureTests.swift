import EdgeSQLite
import Testing

@Suite("SQLite failures are classified")
struct SQLiteFailureTests {
    @Test("a file of random bytes is reported as corrupt")
    func garbageFile() throws {
        try withTemporaryDirectory { dir in
            let path = dir + "/x.db"
            var generator = SystemRandomNumberGenerator()
            try writeFile(path, (0..<8_192).map { _ in UInt8.random(in: 0...255, using: &generator) })
            let error = #expect(throws: SQLiteError.self) {
                let db = try SQLiteDatabase(path: path)
                _ = try db.quickCheck()
            }
            #expect(error?.isCorrupt == true)
            #expect(error?.label == "sqlite_corrupt")
            #expect(error?.description.contains(path) == true)
        }
    }

    @Test("a full database throws isFull and recovers after deleting rows")
    func fullDisk() throws {
        try withTemporaryDirectory { dir in
            let db = try SQLiteDatabase(path: dir + "/full.db")
            try db.execute("CREATE TABLE queue(id INTEGER PRIMARY KEY, payload BLOB NOT NULL)")
            let pages = try db.prepare("PRAGMA page_count").rows { $0.int64(at: 0) }.first ?? 0
            // max_page_count is per connection and not persisted: a cheap stand-in for a full disk.
            try db.execute("PRAGMA max_page_count = \(pages + 16)")
            let insert = try db.prepare("INSERT INTO queue(payload) VALUES (?)")
            let payload = SQLiteValue.blob([UInt8](repeating: 0xA5, count: 2_000))
            var inserted = 0
            var failure: SQLiteError?
            while failure == nil && inserted < 1_000 {
                do {
                    try insert.bind(payload)
                    _ = try insert.step()
                    inserted += 1
                } catch let error as SQLiteError {
                    failure = error
                }
            }
            let error = try #require(failure)
            #expect(error.isFull)
            #expect(!error.isCorrupt)
            #expect(error.description.contains("INSERT INTO queue"))
            #expect(inserted > 0)

            try db.execute("DELETE FROM queue WHERE id <= \(inserted / 2 + 1)")
            try insert.bind(payload)
            #expect(try insert.step() == false)
            #expect(try db.quickCheck() == [])
        }
    }

    @Test("a duplicate key is a constraint error naming the SQL")
    func constraint() throws {
        let db = try SQLiteDatabase(path: ":memory:")
        try db.execute("CREATE TABLE feeder(name TEXT PRIMARY KEY)")
        try db.execute("INSERT INTO feeder VALUES ('F1')")
        let error = #expect(throws: SQLiteError.self) { try db.execute("INSERT INTO feeder VALUES ('F1')") }
        #expect(error?.isConstraint == true)
        #expect(error?.isFull == false)
        #expect(error?.description.contains("INSERT INTO feeder") == true)
        #expect(error?.message.contains("UNIQUE") == true)
    }

    @Test("a foreign key violation is refused (foreign_keys=ON)")
    func foreignKey() throws {
        let db = try SQLiteDatabase(path: ":memory:")
        try db.execute("CREATE TABLE phase(id INTEGER PRIMARY KEY); CREATE TABLE reading(phase INTEGER REFERENCES phase(id))")
        let error = #expect(throws: SQLiteError.self) { try db.execute("INSERT INTO reading VALUES (9)") }
        #expect(error?.isConstraint == true)
    }

    @Test("a second writer times out busy while the first holds the write lock")
    func busy() throws {
        try withTemporaryDirectory { dir in
            let first = try SQLiteDatabase(path: dir + "/b.db")
            try first.execute("CREATE TABLE t(a)")
            let second = try SQLiteDatabase(path: dir + "/b.db", busyTimeoutMilliseconds: 10)
            try first.execute("BEGIN IMMEDIATE")
            // do/catch, not #expect(throws:): with the macro here, Swift 6.3.1 ran the macro's closure as the
            // body of the later `second.transaction { … }` call (seen in a backtrace; not yet minimised).
            var busyError: SQLiteError?
            do { try second.transaction {} } catch let error as SQLiteError { busyError = error }
            #expect(busyError?.isBusy == true)
            try first.execute("COMMIT")
            try second.transaction { try second.execute("INSERT INTO t VALUES (1)") }
        }
    }

    @Test("a missing directory cannot be opened")
    func cannotOpen() {
        let error = #expect(throws: SQLiteError.self) { try SQLiteDatabase(path: "/nonexistent-dir-v2g/x.db") }
        #expect(error?.label == "sqlite_cantopen")
    }
}
