public import GridCore
public import Logging
public import PolicyTrust
import Synchronization

/// The root of trust the agent checks policies against: the one pinned at provisioning (`trust.root_file`), or the
/// newest root reached from it by rotations, which the cache keeps so that a reboot, even offline, keeps it.
///
/// A stored root is used only while the pinned file is the one its chain started from: a controller re-provisioned
/// with another root starts over from the new one.
public final class TrustAnchor: Sendable {
    static let rootRecord = "trust_root"
    static let originRecord = "trust_root_origin"

    public let rootFile: String
    private let cache: GuardedCache
    private let watch: PolicyWatch
    private let current: Mutex<TrustRoot?>

    public init(config: TrustConfig, cache: GuardedCache, watch: PolicyWatch, logger: Logger) {
        rootFile = config.rootFile
        self.cache = cache
        self.watch = watch
        var pinnedBytes: [UInt8]?
        var pinned: TrustRoot?
        do {
            let bytes = try FileBytes.read(config.rootFile, maxBytes: TrustRoot.defaultMaxBytes)
            pinnedBytes = bytes
            pinned = try TrustRoot(trusting: bytes)
            watch.setTrustAlarm("TRUST_ROOT_UNUSABLE", nil)
        } catch let error as ConfigFileError {
            Self.unusable("\(error)", watch: watch, logger: logger)
        } catch let refusal as BundleRefusal {
            Self.unusable("\(config.rootFile): \(refusal)", watch: watch, logger: logger)
        } catch {
            Self.unusable("\(config.rootFile): \(error)", watch: watch, logger: logger)
        }
        var chosen = pinned
        if let stored = cache.record(named: Self.rootRecord), let origin = cache.record(named: Self.originRecord),
            pinnedBytes == nil || origin == pinnedBytes
        {
            do {
                let root = try TrustRoot(trusting: stored)
                if root.version > (pinned?.version ?? 0) { chosen = root }
            } catch {
                logger.error("the cached root of trust is refused; starting again from the pinned one", metadata: ["trust.reason": "\(error)"])
            }
        }
        current = Mutex(chosen)
        if let pinnedBytes, cache.record(named: Self.originRecord) != pinnedBytes {
            // A new pinned root: the chain restarts from it.
            cache.storeRecord(pinnedBytes, named: Self.originRecord)
            cache.storeRecord(nil, named: Self.rootRecord)
        }
        show(chosen)
        if let chosen {
            logger.info("root of trust", metadata: ["trust.root_version": "\(chosen.version)", "trust.root_expires": "\(chosen.expires.rfc3339)"])
        }
    }

    /// The root in force; nil when neither the pinned file nor the cache holds a usable one.
    public var root: TrustRoot? { current.withLock { $0 } }

    /// Takes root N+1 (checked by `TrustRoot.rotated(to:)`: both thresholds, the exact next version) and keeps it.
    @discardableResult
    public func rotate(to bytes: [UInt8]) throws(BundleRefusal) -> TrustRoot {
        guard let trusted = root else { throw BundleRefusal(.unknownKey, "no root of trust to check a new root against") }
        let next = try trusted.rotated(to: bytes)
        current.withLock { $0 = next }
        cache.storeRecord(next.signedBytes, named: Self.rootRecord)
        show(next)
        return next
    }

    private func show(_ root: TrustRoot?) {
        watch.updateStatus {
            $0.rootVersion = root?.version
            $0.rootExpires = root?.expires
        }
    }

    private static func unusable(_ reason: String, watch: PolicyWatch, logger: Logger) {
        logger.error("root of trust unusable: no signed policy can be accepted until it is fixed", metadata: ["trust.reason": "\(reason)"])
        watch.setTrustAlarm("TRUST_ROOT_UNUSABLE", "\(reason): no signed policy can be accepted; the policy in force stays")
    }
}
