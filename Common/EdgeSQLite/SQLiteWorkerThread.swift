#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One pthread that runs jobs in the order they were submitted.
///
/// SQLite calls block (disk, fsync, a busy lock). Swift's cooperative pool has one thread per core, so blocking
/// work there stalls every other task in the process. Jobs here run on a thread that belongs to this object alone.
/// The thread starts with the first job, and exits after the last job once `stop()` has been called.
// @unchecked Sendable: `jobs`, `running`, `stopping` and `thread` are read and written only under `mutex`.
final class SQLiteWorkerThread: @unchecked Sendable {
    typealias Job = @Sendable () -> Void

    private let name: String
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let wake: UnsafeMutablePointer<pthread_cond_t>
    private var jobs: [Job] = []
    private var running = false
    private var stopping = false

    /// `name` is shown by `top -H` and debuggers (Linux keeps its first 15 bytes).
    init(name: String) {
        self.name = name
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        wake = .allocate(capacity: 1)
        wake.initialize(to: pthread_cond_t())
        precondition(pthread_mutex_init(mutex, nil) == 0, "pthread_mutex_init failed")
        precondition(pthread_cond_init(wake, nil) == 0, "pthread_cond_init failed")
    }

    deinit {
        pthread_cond_destroy(wake)
        pthread_mutex_destroy(mutex)
        wake.deinitialize(count: 1)
        mutex.deinitialize(count: 1)
        wake.deallocate()
        mutex.deallocate()
    }

    /// Runs `job` on the thread after every job submitted before it.
    ///
    /// After `stop()` (or if the thread cannot be created) the job runs on the caller's thread: the jobs of a
    /// stopped database only meet a closed connection and fail at once, so nothing blocks there.
    func submit(_ job: @escaping Job) {
        pthread_mutex_lock(mutex)
        if stopping {
            pthread_mutex_unlock(mutex)
            job()
            return
        }
        jobs.append(job)
        if !running {
            running = startThread()
            if !running {
                jobs.removeLast()
                pthread_mutex_unlock(mutex)
                job()
                return
            }
        }
        pthread_cond_signal(wake)
        pthread_mutex_unlock(mutex)
    }

    /// Lets the thread exit once the jobs already submitted have run; later jobs run on their caller's thread.
    func stop() {
        pthread_mutex_lock(mutex)
        stopping = true
        pthread_cond_signal(wake)
        pthread_mutex_unlock(mutex)
    }

    /// Whether the calling thread is this worker (for preconditions against waiting on oneself).
    var isCurrent: Bool {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return running && pthread_equal(thread, pthread_self()) != 0
    }

    private var thread = pthread_t()

    /// Called under `mutex`. The thread holds the worker strongly until it exits, so queued jobs always run.
    private func startThread() -> Bool {
        let context = Unmanaged.passRetained(self).toOpaque()
        let rc = pthread_create(&thread, nil, { raw in
            let worker = Unmanaged<SQLiteWorkerThread>.fromOpaque(raw!).takeRetainedValue()
            worker.runJobs()
            return nil
        }, context)
        guard rc == 0 else {
            Unmanaged<SQLiteWorkerThread>.fromOpaque(context).release()
            return false
        }
        pthread_detach(thread)
        return true
    }

    /// Linux: the thread's `comm` (pthread_setname_np needs _GNU_SOURCE, which the Glibc module does not set).
    private func nameThisThread() {
        #if os(Linux)
        let fd = open("/proc/thread-self/comm", O_WRONLY)
        guard fd >= 0 else { return }
        defer { close(fd) }
        let bytes = Array(name.utf8.prefix(15))
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        #endif
    }

    private func runJobs() {
        nameThisThread()
        while true {
            pthread_mutex_lock(mutex)
            while jobs.isEmpty && !stopping { pthread_cond_wait(wake, mutex) }
            if jobs.isEmpty {
                // Stopping with nothing left: later submissions run on their callers' threads.
                running = false
                pthread_mutex_unlock(mutex)
                return
            }
            // Take every waiting job at once: one lock round per burst, and no array that only grows.
            let taken = jobs
            jobs = []
            pthread_mutex_unlock(mutex)
            for job in taken { job() }
        }
    }
}
