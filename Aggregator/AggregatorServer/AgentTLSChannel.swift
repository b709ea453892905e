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
    /// Raw-read idleness (TLS handshake included) after which the connection is closed and counted.
    let idleTimeout: TimeAmount
    /// From accept to the end of the TLS handshake.
    let handshakeTimeout: TimeAmount
    /// From a request's first byte to the start of its answer.
    let requestDeadline: TimeAmount
    let registry: ConnectionRegistry
    let metrics: AggregatorMetrics
    var baseChannel: BaseChannel

    init(
        _ baseChannel: BaseChannel, sslContext: NIOSSLContext, trust: ClientTrust, idleTimeout: TimeAmount,
        handshakeTimeout: TimeAmount, requestDeadline: TimeAmount, registry: ConnectionRegistry, metrics: AggregatorMetrics
    ) {
        self.baseChannel = baseChannel
        self.sslContext = sslContext
        self.trust = trust
        self.idleTimeout = idleTimeout
        self.handshakeTimeout = handshakeTimeout
        self.requestDeadline = requestDeadline
        self.registry = registry
        self.metrics = metrics
    }

    public func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let trust = self.trust
        return channel.eventLoop.makeCompletedFuture {
            // The per-certificate callback is marked deprecated in favour of the chain-replacing one, but it is the
            // one that keeps BoringSSL's own verification (docs/aggregator.md): the one expected build warning.
            let handler = try NIOSSLServerHandler(
                context: sslContext, verificationCallback: { trust.verify(preverified: $0, certificate: $1) }
            )
            // Idleness first in the pipeline, so a client stalling its handshake is seen too; the handshake budget and
            // the request deadline after the TLS handler, where the handshake's end and the plain bytes are seen.
            try channel.pipeline.syncOperations.addHandlers(
                IdleStateHandler(readTimeout: idleTimeout), IdleCloser(metrics: metrics), handler,
                HandshakeDeadline(budget: handshakeTimeout, registry: registry, metrics: metrics),
                RequestDeadline(deadline: requestDeadline, metrics: metrics))
            registry.opened(channel)
            channel.closeFuture.whenComplete { [registry] _ in registry.closed(channel) }
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

/// Closes a connection that sent nothing for the idle timeout and counts it: silent or slow clients, and
/// keep-alive connections left unused, so slow-client pressure shows in the metrics.
final class IdleCloser: ChannelInboundHandler, Sendable {
    typealias InboundIn = NIOAny
    let metrics: AggregatorMetrics

    init(metrics: AggregatorMetrics) { self.metrics = metrics }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard let idle = event as? IdleStateHandler.IdleStateEvent, idle == .read else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        metrics.closed(.idle)
        context.close(promise: nil)
    }
}
