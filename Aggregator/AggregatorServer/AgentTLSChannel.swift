public import HummingbirdCore
public import Logging
public import NIOCore
import NIOSSL

/// HummingbirdTLS's `TLSChannel` with the per-certificate callback: BoringSSL verifies, `ClientTrust` adds CRL and SAN checks.
///
/// HummingbirdTLS only offers the chain-replacing custom callback, which would leave chain, date and purpose checks to us.
public struct AgentTLSChannel<BaseChannel: ServerChildChannel>: ServerChildChannel {
    public typealias Value = BaseChannel.Value

    let sslContext: NIOSSLContext
    let trust: ClientTrust
    var baseChannel: BaseChannel

    init(_ baseChannel: BaseChannel, sslContext: NIOSSLContext, trust: ClientTrust) {
        self.baseChannel = baseChannel
        self.sslContext = sslContext
        self.trust = trust
    }

    public func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let trust = self.trust
        return channel.eventLoop.makeCompletedFuture {
            // The per-certificate callback is marked deprecated in favour of the chain-replacing one, but it is the
            // one that keeps BoringSSL's own verification (docs/aggregator.md): the one expected build warning.
            let handler = try NIOSSLServerHandler(
                context: sslContext, verificationCallback: { trust.verify(preverified: $0, certificate: $1) }
            )
            try channel.pipeline.syncOperations.addHandler(handler)
        }.flatMap {
            self.baseChannel.setup(channel: channel, logger: logger)
        }
    }

    public func handle(value: BaseChannel.Value, logger: Logger) async {
        await baseChannel.handle(value: value, logger: logger)
    }
}

extension AgentTLSChannel: HTTPChannelHandler where BaseChannel: HTTPChannelHandler {
    public var responder: HTTPChannelHandler.Responder { baseChannel.responder }
}
