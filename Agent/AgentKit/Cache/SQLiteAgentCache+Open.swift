#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
public import Logging

extension SQLiteAgentCache {
    /// Opens the cache at `path`, and never fails: the agent must not crash-loop on a bad cache.
    ///
    /// - A corrupt or unusable file is moved aside (`<path>.corrupt-<epoch seconds>`, with its WAL) and a
    ///   fresh cache is created: alarm `CACHE_CORRUPT` or `CACHE_UNREADABLE`.
    /// - A full disk: what can still be read is copied into memory (`CACHE_FULL`).
    /// - If no file can be created (read-only or full disk), an in-memory cache is returned with the alarm,
    ///   so the agent runs on `ControlPolicy.builtInSafeDefaults` until the disk is fixed.
    public static func open(
        path: String, eventLogCapacity: Int = CacheEvent.defaultLogCapacity, logger: Logger
    ) -> (cache: any AgentCache, alarms: [CacheAlarm]) {
        CacheFiles.makeParentDirectory(of: path)
        let firstError: CacheError
        do {
            return (try SQLiteAgentCache(path: path, eventLogCapacity: eventLogCapacity), [])
        } catch {
            firstError = error
        }
        logger.info("cache cannot be opened", metadata: ["cache.path": "\(path)", "cache.error": "\(firstError)"])

        if firstError.isFull {
            // Moving the file aside frees nothing; keep regulating on what it holds.
            let salvaged = try? SQLiteAgentCache(
                path: path, eventLogCapacity: eventLogCapacity, maximumPageCount: nil, readOnly: true
            ).copyIntoMemory()
            let alarm = CacheAlarm(
                code: .full,
                message: "\(firstError.message); running on an in-memory cache"
                    + (salvaged == nil ? " with no cached policy" : " seeded from the file")
                    + ": nothing new survives a restart until space is freed")
            return (salvaged ?? InMemoryAgentCache(eventLogCapacity: eventLogCapacity), [alarm])
        }

        let moved = CacheFiles.moveAside(path)
        let what = moved.map { "moved to \($0)" } ?? "nothing to move aside"
        var alarm = CacheAlarm(code: firstError.alarmCode ?? .unreadable, message: "\(firstError.message); \(what)")
        do {
            let fresh = try SQLiteAgentCache(path: path, eventLogCapacity: eventLogCapacity)
            alarm.message += "; started a fresh cache (no cached policy: the built-in safe defaults apply until one arrives)"
            logger.info("cache replaced by a fresh one", metadata: ["cache.path": "\(path)", "cache.alarm": "\(alarm.code.rawValue)"])
            return (fresh, [alarm])
        } catch {
            alarm.message += "; a fresh cache cannot be created either (\(error.message)); running on an in-memory cache"
            logger.info("cache falls back to memory", metadata: ["cache.path": "\(path)", "cache.error": "\(error)"])
            var alarms = [alarm]
            if let code = error.alarmCode, code != alarm.code {
                alarms.append(CacheAlarm(code: code, message: "cannot create a fresh cache at \(path): \(error.message)"))
            }
            return (InMemoryAgentCache(eventLogCapacity: eventLogCapacity), alarms)
        }
    }
}

/// File moves around the cache, with plain POSIX calls.
enum CacheFiles {
    /// The state directory normally comes from systemd (StateDirectory=); create its last level if missing.
    static func makeParentDirectory(of path: String) {
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return }
        _ = mkdir(String(path[..<slash]), 0o750)
    }

    /// Renames the database and its WAL and shared-memory files aside; returns the new name, or nil
    /// when there was no file to move (or the move failed).
    static func moveAside(_ path: String) -> String? {
        var target = "\(path).corrupt-\(time(nil))"
        var attempt = 1
        while access(target, F_OK) == 0 {
            attempt += 1
            target = "\(path).corrupt-\(time(nil))-\(attempt)"
        }
        guard rename(path, target) == 0 else { return nil }
        for suffix in ["-wal", "-shm"] where access(path + suffix, F_OK) == 0 {
            // Kept beside the moved file under SQLite's own naming, so the pair can still be opened for analysis.
            if rename(path + suffix, target + suffix) != 0 { unlink(path + suffix) }
        }
        return target
    }
}
