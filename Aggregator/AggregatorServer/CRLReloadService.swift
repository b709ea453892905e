import Dispatch
import Logging
import ServiceLifecycle

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Re-reads the CRL on SIGHUP (`systemctl reload`) without touching the listener; a bad file keeps the old list.
struct CRLReloadService: Service {
    let trust: ClientTrust
    let logger: Logger

    func run() async throws {
        let (hangups, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        signal(SIGHUP, SIG_IGN)  // DispatchSource needs the default action off (dispatch(3))
        let source = DispatchSource.makeSignalSource(signal: SIGHUP)
        source.setEventHandler { continuation.yield() }
        source.resume()
        defer { source.cancel() }
        for await _ in hangups.cancelOnGracefulShutdown() {
            do { try trust.reload() } catch let error as AggregatorError {
                logger.error("CRL reload failed; the previous list stays", metadata: ["error": "\(error)", "error.message": "\(error.message)"])
            } catch {
                logger.error("CRL reload failed; the previous list stays", metadata: ["error": "\(error)"])
            }
        }
        continuation.finish()
    }
}
