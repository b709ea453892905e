import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A task executor with one OS thread of its own, for the parts of the agent that block: libmodbus waits out its
/// response timeout, SQLite and the status file wait for the disk. A task that prefers this executor
/// (`withTaskExecutorPreference`) runs every synchronous stretch here, so a silent Modbus device blocks this thread
/// only, never one of the few threads of Swift's cooperative pool that the uplink and the other services share
/// (two on a two-core controller).
///
/// Jobs run one at a time, in the order they were enqueued. `stop()` ends the thread once its queue is empty;
/// a job enqueued after that runs on the global executor, so no task is ever stranded.
public final class DedicatedThreadExecutor: TaskExecutor {
    private struct State {
        var jobs: [UnownedJob] = []
        var stopping = false
        var threadID: pthread_t?
    }

    /// The thread's name, as `top -H` and `ps -L` show it (at most 15 bytes).
    public let name: String
    private let state = Mutex(State())
    private let wakeup = DispatchSemaphore(value: 0)

    public init(name: String) {
        self.name = String(decoding: Array(name.utf8.prefix(15)), as: UTF8.self)
        startThread()
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let accepted = state.withLock { state in
            guard !state.stopping else { return false }
            state.jobs.append(job)
            return true
        }
        if accepted {
            wakeup.signal()
        } else {
            globalConcurrentExecutor.enqueue(job)
        }
    }

    /// Lets the thread end once the jobs already queued have run. Call it when every task that used the executor is done.
    public func stop() {
        state.withLock { $0.stopping = true }
        wakeup.signal()
    }

    /// True on this executor's own thread.
    public var isCurrentThread: Bool {
        state.withLock { $0.threadID }.map { pthread_equal($0, pthread_self()) != 0 } ?? false
    }

    private func startThread() {
        let body = Unmanaged.passRetained(ThreadBody { [self] in runJobs() }).toOpaque()
        var thread = pthread_t()
        let created = pthread_create(&thread, nil, { context in
            Unmanaged<ThreadBody>.fromOpaque(context!).takeRetainedValue().run()
            return nil
        }, body)
        // Without a thread of its own the agent cannot keep the pool free; failing loudly at start beats a hang later.
        precondition(created == 0, "cannot start the \(name) thread: \(String(cString: strerror(created)))")
        pthread_detach(thread)
    }

    private func runJobs() {
        state.withLock { $0.threadID = pthread_self() }
        Self.nameCurrentThread(name)
        while true {
            wakeup.wait()
            let next: UnownedJob?? = state.withLock { state in
                if !state.jobs.isEmpty { return .some(state.jobs.removeFirst()) }
                return state.stopping ? .none : .some(nil)
            }
            guard let next else { return }
            next?.runSynchronously(on: asUnownedTaskExecutor())
        }
    }

    /// What pthread_setname_np does, through /proc (Linux ≥ 3.17): Glibc's module does not export that call.
    private static func nameCurrentThread(_ name: String) {
        let fd = open("/proc/thread-self/comm", O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        defer { close(fd) }
        let bytes = Array(name.utf8)
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    }
}

/// Carries the thread's closure through pthread_create's context pointer.
private final class ThreadBody {
    let run: () -> Void
    init(_ run: @escaping () -> Void) { self.run = run }
}
