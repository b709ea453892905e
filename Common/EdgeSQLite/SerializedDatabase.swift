import Synchronization

/// One SQLite connection, and the state built on it, used by one caller at a time (GRDB's `SerializedDatabase`
/// is the model).
///
/// `Connection` is whatever the owner keeps next to the `SQLiteDatabase`: prepared statements, counters, a
/// decoder. None of it is `Sendable`; this type is the only way in, so the compiler cannot let it escape.
///
/// Ownership: `init` opens the database and builds the connection; from then on this object owns both and
/// lends the connection to one body at a time, under a lock. `close()` (or the last reference going away)
/// closes the database. Bodies must not keep the connection or its statements.
///
/// Two ways in:
/// - `sync` runs the body on the calling thread. Use it from threads the caller owns (a control loop's thread,
///   a command-line tool), never from a task on Swift's cooperative pool.
/// - `run` (async) runs the body on this database's own thread, and the calling task waits without holding a
///   pool thread. `enqueue` does the same without waiting, for owners that feed the thread themselves.
///
/// Every failure inside a body, SQLite's or the owner's, leaves as `Failure`, made by `describeFailure` from the
/// error and what was being done ("store batch 7 in /var/lib/x.sqlite"), so owners keep their own typed errors.
/// Neither entry is reentrant: a body must not call `sync` or `run` on the same database.
public final class SerializedDatabase<Connection, Failure: Error>: Sendable {
    /// Turns any error thrown by SQLite or by a body into the owner's error; `doing` says what and where.
    public typealias DescribeFailure = @Sendable (_ error: any Error, _ doing: String) -> Failure

    /// The database file.
    public let path: String
    /// The connection; nil once closed.
    private let connection: Mutex<Connection?>
    private let worker: SQLiteWorkerThread
    private let describeFailure: DescribeFailure

    /// Opens the database at `path` and builds the connection with `prepare` (checks, migrations, statements),
    /// on the calling thread.
    ///
    /// `label` names the database's thread (Linux shows 15 bytes of it). A failure to open or prepare is thrown as
    /// `Failure`, described as "open <label> <path>".
    public init(
        path: String, readOnly: Bool = false, busyTimeoutMilliseconds: Int32 = 5_000, label: String,
        describeFailure: @escaping DescribeFailure,
        prepare: (sending SQLiteDatabase) throws -> sending Connection
    ) throws(Failure) {
        self.path = path
        self.describeFailure = describeFailure
        worker = SQLiteWorkerThread(name: label)
        let opened: Connection
        do {
            let db = try SQLiteDatabase(path: path, readOnly: readOnly, busyTimeoutMilliseconds: busyTimeoutMilliseconds)
            opened = try prepare(db)
        } catch {
            throw describeFailure(error, "open \(label) \(path)")
        }
        connection = Mutex(opened)
    }

    deinit {
        worker.stop()
    }

    /// Runs `body` on the calling thread, once no other body is running, and returns its result.
    ///
    /// Blocks the caller for as long as the body and any body before it take: do not call it from a task on the
    /// cooperative pool (use `run`). `what` is evaluated only on failure.
    public func sync<T: Sendable>(
        _ what: @autoclosure () -> String, _ body: (Connection) throws -> T
    ) throws(Failure) -> T {
        let result: Result<T, any Error> = connection.withLock { connection in
            guard let connection else { return .failure(SQLiteError.closed(sql: nil, path: path)) }
            do {
                return .success(try body(connection))
            } catch {
                return .failure(error)
            }
        }
        switch result {
        case .success(let value): return value
        case .failure(let error): throw describeFailure(error, "\(what()) in \(path)")
        }
    }

    /// Runs `body` on this database's own thread and returns its result; the calling task is suspended meanwhile.
    ///
    /// The body runs even if the task is cancelled while it waits: a write that was asked for is not dropped
    /// half-way, and the caller learns its outcome.
    public func run<T: Sendable>(
        _ what: String, _ body: @escaping @Sendable (Connection) throws -> T
    ) async throws(Failure) -> T {
        precondition(!worker.isCurrent, "SerializedDatabase.run called from its own thread: it would wait forever")
        let result: Result<T, Failure> = await withCheckedContinuation { continuation in
            worker.submit {
                do throws(Failure) {
                    continuation.resume(returning: .success(try self.sync(what, body)))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
        }
        return try result.get()
    }

    /// Runs `job` on this database's own thread after every job submitted before it, and returns at once.
    ///
    /// The job usually calls `sync` (which then never waits for a pool thread). This is how an owner runs a loop
    /// of its own on the thread, such as a writer draining a queue.
    public func enqueue(_ job: @escaping @Sendable () -> Void) {
        worker.submit(job)
    }

    /// Whether the calling thread is this database's own thread (for owners' preconditions).
    public var isOnOwnThread: Bool { worker.isCurrent }

    /// Closes the database once the running body (if any) returns: the connection state is released, and with it
    /// its statements and the `SQLiteDatabase`. Later bodies are not run: their callers get `Failure` for a closed
    /// database (`SQLiteError.isClosed` underneath). Jobs already queued still run, and meet the closed database.
    public func close() {
        connection.withLock { $0 = nil }
        worker.stop()
    }
}
