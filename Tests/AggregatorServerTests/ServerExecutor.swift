import Foundation

/// One dedicated thread that runs the test server's tasks.
///
/// Other suites in the same test process (the Modbus integration tests) block cooperative threads with
/// synchronous field I/O; on a 2-core machine that starves a server on the shared pool and curl times out.
/// The real aggregator runs alone in its process, so only the tests need this.
final class ServerExecutor: TaskExecutor, @unchecked Sendable {  // jobs guarded by `condition`
    static let shared = ServerExecutor()

    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []

    private init() {
        let thread = Thread { [self] in runJobs() }
        thread.name = "agg-server-tests"
        thread.start()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    private func runJobs() {
        while true {
            condition.lock()
            while jobs.isEmpty { condition.wait() }
            let job = jobs.removeFirst()
            condition.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}
