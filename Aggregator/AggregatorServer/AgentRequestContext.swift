public import Hummingbird
public import NIOCore
import NIOSSL

/// Request context that can name the agent or operator behind the connection's verified client certificate.
public struct AgentRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The connection, to reach its TLS handler.
    public let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }

    /// The caller from the client certificate's SAN URI; nil without a certificate or a valid identity.
    public func peer() async -> PeerIdentity? {
        guard let certificate = try? await channel.nioSSL_peerCertificate().get() else { return nil }
        return PeerIdentity.of(certificate)
    }
}
