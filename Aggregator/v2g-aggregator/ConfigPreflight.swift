import AggregatorServer
import ArgumentParser
import FoundationEssentials
import GridCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What `check-config` verifies before it prints its summary: the package's maintainer scripts and the unit's
/// ExecStartPre run it, so a bad file stops the start with one line on stderr that names the file and says what to do
/// (an ArgumentParser `ValidationError` would add the usage text below it).
enum ConfigPreflight {
    /// Checks the configuration, the four TLS files, the CRL and the store's directory; prints warnings on stdout.
    static func check(configPath path: String) throws(ExitCode) {
        guard let data = FileManager.default.contents(atPath: path) else {
            let reason = access(path, F_OK) != 0 ? "is missing" : "is not readable by \(userName())"
            throw stop("\(path) \(reason): restore it (apt-get install --reinstall -o Dpkg::Options::=--force-confmiss v2g-aggregator) or pass --config")
        }
        let bytes = [UInt8](data)
        let config: AggregatorConfig
        do {
            config = try AggregatorConfig.parse(bytes, file: path)
        } catch {
            throw stop("\(error.message); correct \(path) (every key: docs/aggregator.md, /etc/v2g/aggregator.json.commented)")
        }
        let bundle = "install the server bundle of `v2g-pki issue-server` in \(directory(of: config.tls.keyFile)) (docs/provisioning.md)"
        let files: [(path: String, key: String, label: String, fix: String)] = [
            (config.tls.caFile, "tls.ca_file", "CERTIFICATE", bundle),
            (config.tls.certFile, "tls.cert_file", "CERTIFICATE", bundle),
            (config.tls.keyFile, "tls.key_file", "PRIVATE KEY", bundle),
            (config.tls.crlFile, "tls.crl_file", "X509 CRL", "copy crl.pem from the CA (`v2g-pki crl`, docs/provisioning.md)"),
        ]
        for file in files {
            if let problem = pemProblem(file.path, label: file.label, isKey: file.key == "tls.key_file") {
                throw stop("\(file.path) (\(file.key)) \(problem.reason): \(problem.fix ?? file.fix)")
            }
        }
        do {
            let list = try RevocationList(contentsOf: config.tls.crlFile, caFile: config.tls.caFile)
            let now = Int64(Date().timeIntervalSince1970)
            if list.isExpired(nowEpochS: now) {
                print("warning: \(config.tls.crlFile) is past its next update: every agent is refused until a fresh CRL is installed (`v2g-pki crl`)")
            }
        } catch let error as AggregatorError {
            throw stop("\(error.message): copy a fresh crl.pem from the CA (`v2g-pki crl`)")
        } catch {
            throw stop("\(config.tls.crlFile) (tls.crl_file): \(error)")
        }
        let store = directory(of: config.storage.path)
        if access(store, W_OK | X_OK) != 0 {
            throw stop("the directory of storage.path, \(store), is not writable by \(userName()) (\(errnoText())): "
                + "keep the store under /var/lib/v2g-aggregator (the unit's StateDirectory) or fix its owner")
        }
        if let planner = config.planner, planner.enabled {
            do {
                _ = try planner.envelopeSigner(trustRootFile: config.trust.rootFile, now: Timestamp(secondsSinceEpoch: Date().timeIntervalSince1970))
            } catch {
                throw stop("\(error.message); see docs/envelopes.md, \"The aggregator's envelope keys\"")
            }
        }
        if (1..<1024).contains(config.listen.port) {
            print("warning: listen.port \(config.listen.port) is below 1024: the packaged unit has no capabilities, "
                + "so the bind fails unless the override in docs/install.md grants CAP_NET_BIND_SERVICE")
        }
    }

    /// Why `path` cannot serve as a PEM file of `label`, and what to do when that differs from the bundle's fix.
    private static func pemProblem(_ path: String, label: String, isKey: Bool) -> (reason: String, fix: String?)? {
        var info = stat()
        guard stat(path, &info) == 0 else { return (errno == ENOENT ? "is missing" : "cannot be examined (\(errnoText()))", nil) }
        guard (info.st_mode & S_IFMT) == S_IFREG else { return ("is not a regular file", nil) }
        guard access(path, R_OK) == 0 else {
            return ("is not readable by \(userName())", isKey ? "chown \(userName()) \(path); chmod 600 \(path)" : "chmod 644 \(path)")
        }
        if isKey, info.st_mode & 0o077 != 0 {
            return ("is open to group or others (mode \(String(info.st_mode & 0o777, radix: 8)))", "chmod 600 \(path)")
        }
        guard let data = FileManager.default.contents(atPath: path) else { return ("cannot be read (\(errnoText()))", nil) }
        let text = String(decoding: data.prefix(1 << 20), as: UTF8.self)
        guard text.contains("-----BEGIN "), text.contains("\(label)-----") else { return ("holds no PEM \(label)", nil) }
        return nil
    }

    private static func stop(_ line: String) -> ExitCode {
        let bytes = Array("v2g-aggregator: \(line)\n".utf8)
        _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
        return ExitCode(1)
    }

    private static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    private static func userName() -> String {
        guard let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name else { return "uid \(geteuid())" }
        return String(cString: name)
    }

    private static func errnoText() -> String { String(cString: strerror(errno)) }
}
