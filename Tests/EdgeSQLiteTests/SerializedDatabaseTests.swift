import EdgeSQLite
import Foundation
import Synchronization
import Testing

/// The owner's typed error, as a store or a cache would define it.
struct OwnerFailure: Error {
    let underlying: any Error
    let doing: String
    var sqlite: SQLiteError? { underlying as? SQLiteError }
}

/// A connection state as owners build it: the database and a prepared statement.
final class CounterConnection {
    let db: SQLiteDatabase
    let insert: SQLiteStatement
    init(_ db: SQLiteDatabase) throws {
        self.db = db
        try db.execute("CREATE TABLE IF NOT EXISTS hits(id INTEGER PRIMARY KEY, by TEXT NOT NULL)")
        insert = try db.prepare("INSERT INTO hits(by) VALUES (?)")
    }

    func count() throws -> Int { try db.prepare("SELECT count(*) FROM hits").rows { Int($0.int64(at: 0)) }.first ?? 0 }
}

/// A value shared between threads in a test (Mutex cannot be captured by escaping closures itself).
final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>
    init(_ value: Value) { mutex = Mutex(value) }
    var value: Value { mutex.withLock { $0 } }
    @discardableResult
    func update<R: Sendable>(_ body: (inout Value) -> R) -> R { mutex.withLock { body(&$0) } }
}

typealias CounterDatabase = SerializedDatabase<CounterConnection, OwnerFailure>

func openCounter(_ path: String, label: String = "test-db") throws(OwnerFailure) -> CounterDatabase {
    try CounterDatabase(path: path, label: label, describeFailure: { OwnerFailure(underlying: $0, doing: $1) }) {
        try CounterConnection($0)
    }
}

/// The name of the calling thread (what `top -H` shows).
func currentThreadName() -> String {
    let comm = (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? ""
    return comm.trimmingCharacters(in: .whitespacesAndNewlines)
}

@Suite("Serialized database")
struct SerializedDatabaseTests {
    @Test("bodies never overlap, whether they come through sync on threads or run from tasks")
    func serialized() async throws {
        try await withTemporaryDirectory { dir in
            let database = try openCounter(dir + "/s.db")
            let inside = Locked(0)
            let overlaps = Locked(0)
            @Sendable func body(_ c: CounterConnection, _ by: String) throws {
                if inside.update({ $0 += 1; return $0 }) != 1 { overlaps.update { $0 += 1 } }
                defer { inside.update { $0 -= 1 } }
                try c.insert.bind(.text(by))
                _ = try c.insert.step()
                usleep(200)
            }
            let threads = (0..<2).map { index in
                let thread = Thread {
                    for _ in 0..<50 { try? database.sync("insert from a thread") { try body($0, "thread \(index)") } }
                }
                thread.start()
                return thread
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for task in 0..<4 {
                    group.addTask {
                        for _ in 0..<25 { try await database.run("insert from a task") { try body($0, "task \(task)") } }
                    }
                }
                try await group.waitForAll()
            }
            while threads.contains(where: { !$0.isFinished }) { try await Task.sleep(for: .milliseconds(10)) }
            #expect(overlaps.value == 0)
            #expect(try database.sync("count") { try $0.count() } == 200)
        }
    }

    @Test("run executes on the database's own thread and leaves the cooperative pool free while it blocks")
    func runsOffThePool() async throws {
        try await withTemporaryDirectory { dir in
            let database = try openCounter(dir + "/p.db", label: "edge-sql-test")
            let release = DispatchSemaphore(value: 0)
            let bodyThread = Locked("")
            let bodyReturned = Locked(false)
            let waiting = Task {
                try await database.run("block") { _ in
                    bodyThread.update { $0 = currentThreadName() }
                    // Generous: on a loaded machine the pool task below may take a while to be scheduled.
                    _ = release.wait(timeout: .now() + 30)
                    bodyReturned.update { $0 = true }
                }
            }
            // More waiting callers than the pool has threads: if `run` blocked pool threads, nothing else would run.
            let queued = (0..<ProcessInfo.processInfo.activeProcessorCount * 4).map { _ in
                Task { try await database.run("queued") { try $0.count() } }
            }
            // This task needs a pool thread while the database thread is still blocked.
            let poolStillRuns = await Task.detached { (1...1_000).reduce(0, +) }.value
            let blockedMeanwhile = !bodyReturned.value
            release.signal()
            try await waiting.value
            for task in queued { _ = try await task.value }
            #expect(poolStillRuns == 500_500)
            #expect(blockedMeanwhile, "the pool was starved until the blocking body gave up")
            #expect(bodyThread.value == "edge-sql-test")
            #expect(currentThreadName() != "edge-sql-test")
        }
    }

    @Test("a failure keeps the owner's type and says what was done, where, and why")
    func typedFailure() throws {
        try withTemporaryDirectory { dir in
            let path = dir + "/f.db"
            let database = try openCounter(path)
            let error = #expect(throws: OwnerFailure.self) {
                try database.sync("insert hit 7") { c in try c.db.execute("INSERT INTO no_such_table VALUES (1)") }
            }
            #expect(error?.doing == "insert hit 7 in \(path)")
            #expect(error?.sqlite?.label == "sqlite_error")
            #expect(error?.sqlite?.message.contains("no_such_table") == true)
            // The connection is still usable after a failed body.
            #expect(try database.sync("count") { try $0.count() } == 0)
        }
    }

    @Test("a file that is not a database fails at open, as the owner's error naming the file")
    func openFailure() throws {
        try withTemporaryDirectory { dir in
            let path = dir + "/garbage.db"
            try writeFile(path, [UInt8](repeating: 0x5A, count: 4_096))
            let error = #expect(throws: OwnerFailure.self) { _ = try openCounter(path, label: "counter") }
            #expect(error?.doing == "open counter \(path)")
            #expect(error?.sqlite?.isCorrupt == true)
        }
    }

    @Test("enqueued jobs run in order on one thread")
    func enqueueOrder() async throws {
        try await withTemporaryDirectory { dir in
            let database = try openCounter(dir + "/o.db", label: "edge-sql-order")
            let seen = Locked<[Int]>([])
            let names = Locked<Set<String>>([])
            for index in 0..<100 {
                database.enqueue {
                    #expect(database.isOnOwnThread)
                    names.update { _ = $0.insert(currentThreadName()) }
                    seen.update { $0.append(index) }
                }
            }
            // A run submitted last finishes last.
            try await database.run("fence") { _ in }
            #expect(seen.value == Array(0..<100))
            #expect(names.value == ["edge-sql-order"])
            #expect(!database.isOnOwnThread)
        }
    }

    @Test("after close, queued and later bodies fail as closed; nothing hangs")
    func closeFailsLaterBodies() async throws {
        try await withTemporaryDirectory { dir in
            let database = try openCounter(dir + "/c.db")
            let gate = DispatchSemaphore(value: 0)
            // Generous: on a loaded machine the test task may wait long for a pool thread, and the gate must outlast it.
            database.enqueue { _ = gate.wait(timeout: .now() + 600) }
            let queued = Task { try await database.run("count") { try $0.count() } }
            // Give the queued run a moment to reach the thread's queue (if it has not, it fails the same way).
            try await Task.sleep(for: .milliseconds(50))
            database.close()
            gate.signal()
            let queuedResult = await queued.result
            guard case .failure(let queuedError) = queuedResult else {
                Issue.record("a body ran on a closed database")
                return
            }
            #expect((queuedError as? OwnerFailure)?.sqlite?.isClosed == true)
            let later = await #expect(throws: OwnerFailure.self) { try await database.run("count again") { try $0.count() } }
            #expect(later?.sqlite?.isClosed == true)
            #expect(later?.doing.hasPrefix("count again in ") == true)
            #expect(throws: OwnerFailure.self) { try database.sync("sync count") { try $0.count() } }
        }
    }
}
