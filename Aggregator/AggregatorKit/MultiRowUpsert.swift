import EdgeSQLite

/// One `INSERT … VALUES (…), (…) … ON CONFLICT …` for many rows: a batch's 31–93 upserts become a few statements
/// (one bind and step each), prepared once per row count and kept on the connection.
final class MultiRowUpsert {
    /// Rows per statement (7 columns × 32 stays far under SQLite's 32,766 parameters).
    static let maxRows = 32

    private let db: SQLiteDatabase
    private let head: String
    private let columns: Int
    private let tail: String
    private var prepared: [Int: SQLiteStatement] = [:]

    /// `head` is `INSERT INTO t (c1, …)`, `tail` the `ON CONFLICT …` clause; every row has `columns` values.
    init(_ db: SQLiteDatabase, head: String, columns: Int, tail: String) {
        self.db = db
        self.head = head
        self.columns = columns
        self.tail = tail
    }

    /// Runs every row, in order; `rows` holds `columns` values per row, flattened.
    func run(_ rows: [SQLiteValue]) throws {
        precondition(rows.count % columns == 0, "\(rows.count) values are not whole rows of \(columns)")
        var start = 0
        while start < rows.count {
            let end = min(rows.count, start + Self.maxRows * columns)
            let statement = try statement(rows: (end - start) / columns)
            defer { statement.reset() }
            try statement.bind(Array(rows[start..<end]))
            while try statement.step() {}
            start = end
        }
    }

    private func statement(rows: Int) throws -> SQLiteStatement {
        if let statement = prepared[rows] { return statement }
        let row = "(" + Array(repeating: "?", count: columns).joined(separator: ", ") + ")"
        let statement = try db.prepare("\(head) VALUES \(Array(repeating: row, count: rows).joined(separator: ", ")) \(tail)")
        prepared[rows] = statement
        return statement
    }
}
