public import Foundation

/// A test peer or program as a child process (a scripted server, `openssl s_server`, `v2g-pki`, `v2g-agent`), owned
/// by one object and killed by its pid when that object goes away.
///
/// Every long wait on a child (its first line, its exit) happens on a thread of its own, never on one of the few
/// threads of Swift's cooperative pool: under load, tests holding those threads made unrelated tests time out.
/// @unchecked Sendable: `process` is set up before the object is shared and only read (pid, isRunning) afterwards.
public final class ChildProcess: @unchecked Sendable {
    public let process = Process()
    /// The first output line the start accepted (a scripted server's port).
    public private(set) var firstLine = ""

    /// Starts the child and waits, on a thread of its own, for the first line of its output that `isReady` accepts.
    /// With `mergeStderr`, standard error counts as output too; otherwise it is discarded. `environment` is added to
    /// the test process's own.
    public static func start(
        _ executable: String, _ arguments: [String], mergeStderr: Bool = false, environment: [String: String] = [:],
        isReady: @escaping @Sendable (String) -> Bool = { _ in true }
    ) async throws -> ChildProcess {
        try await onOwnThread {
            try ChildProcess(executable, arguments, mergeStderr: mergeStderr, environment: environment, isReady: isReady)
        }
    }

    private init(
        _ executable: String, _ arguments: [String], mergeStderr: Bool, environment: [String: String], isReady: (String) -> Bool
    ) throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = mergeStderr ? output : FileHandle.nullDevice
        try process.run()
        var text = ""
        while true {
            let chunk = output.fileHandleForReading.availableData
            guard !chunk.isEmpty else { throw PeerProcessError("\(executable) exited before it was ready: \(text)") }
            text += String(decoding: chunk, as: UTF8.self)
            // Only whole lines: the last piece may still be growing.
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
            if let line = lines.first(where: isReady) {
                firstLine = line
                return
            }
        }
    }

    /// Starts a program without waiting for anything; its output goes to the file `output`.
    public static func launch(_ executable: String, _ arguments: [String], output: String) throws -> ChildProcess {
        try ChildProcess(launching: executable, arguments, output: output)
    }

    private init(launching executable: String, _ arguments: [String], output: String) throws {
        guard FileManager.default.createFile(atPath: output, contents: nil), let log = FileHandle(forWritingAtPath: output) else {
            throw PeerProcessError("cannot create \(output)")
        }
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = log
        process.standardError = log
        try process.run()
    }

    /// Runs a tool to its end with its output discarded, waiting on a thread of its own; returns its exit status.
    public static func runToEnd(_ executable: String, _ arguments: [String]) async throws -> Int32 {
        try await onOwnThread {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            return process.terminationStatus
        }
    }

    /// SIGKILL, and the exit awaited on a thread of its own.
    public func killAndWait() async throws {
        kill(process.processIdentifier, SIGKILL)
        try await onOwnThread { self.process.waitUntilExit() }
    }

    /// SIGTERM, then up to `seconds` for a graceful exit (SIGKILL after that).
    public func terminateAndWait(seconds: Double = 15) async throws {
        kill(process.processIdentifier, SIGTERM)
        let deadline = ContinuousClock.now + .seconds(seconds)
        while process.isRunning, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(100)) }
        try await killAndWait()
    }

    deinit {
        // SIGKILL, not terminate(): children of the test process may start with SIGTERM blocked.
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        // Waited for here: a test that goes on once its peer is gone expects the peer's port closed. A killed process
        // exits within milliseconds; this is the one short wait a deinit may make. Not waitUntilExit(): on a pool
        // thread it spins its run loop, and a full suite was seen hung there at 200 % CPU. Bounded, sleeping.
        for _ in 0..<500 where process.isRunning { usleep(10_000) }
    }
}

/// Runs `body` on a thread of its own and suspends until it returns: a blocking wait that holds no pool thread.
public func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread { continuation.resume(with: Result { try body() }) }
    }
}

/// A peer that could not be started or did not answer as expected.
public struct PeerProcessError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
