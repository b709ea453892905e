import HummingbirdCore
public import NIOCore
import NIOSSL
import NIOTLS
import Synchronization

/// The connections the server holds, split by whether their TLS handshake is done.
///
/// `max_connections` counts established connections only: when they are all taken, the server stops accepting
/// (Hummingbird's accept backpressure, through `ConnectionLimit`). Connections still in their handshake are capped
/// at the same number on their own, and a new one closes the oldest of them: clients that connect and stall
/// cannot hold the door shut for an agent whose handshake takes milliseconds.
public final class ConnectionRegistry: Sendable {
    private struct State {
        var handshaking: [ObjectIdentifier: (order: UInt64, channel: any Channel)] = [:]
        var established: Set<ObjectIdentifier> = []
        var nextOrder: UInt64 = 0
    }

    /// nil: no limit.
    let maxConnections: Int?
    private let state = Mutex(State())
    private let metrics: AggregatorMetrics

    init(maxConnections: Int?, metrics: AggregatorMetrics) {
        self.maxConnections = maxConnections
        self.metrics = metrics
    }

    var establishedCount: Int { state.withLock { $0.established.count } }

    /// A new connection; closes the oldest one still in its handshake if there are more than the limit.
    func opened(_ channel: any Channel) {
        let evicted: (any Channel)? = state.withLock { state in
            state.handshaking[ObjectIdentifier(channel)] = (state.nextOrder, channel)
            state.nextOrder += 1
            guard let limit = maxConnections, state.handshaking.count > limit,
                let oldest = state.handshaking.min(by: { $0.value.order < $1.value.order })
            else { return nil }
            state.handshaking[oldest.key] = nil
            return oldest.value.channel
        }
        if let evicted {
            metrics.closed(.handshakeEvicted)
            evicted.close(promise: nil)
        }
    }

    func handshakeDone(_ channel: any Channel) {
        state.withLock { state in
            if state.handshaking.removeValue(forKey: ObjectIdentifier(channel)) != nil {
                state.established.insert(ObjectIdentifier(channel))
            }
        }
    }

    func closed(_ channel: any Channel) {
        state.withLock { state in
            state.handshaking[ObjectIdentifier(channel)] = nil
            state.established.remove(ObjectIdentifier(channel))
        }
    }
}

/// Hummingbird's accept switch, driven by established connections only (see `ConnectionRegistry`).
struct ConnectionLimit: AvailableConnectionsDelegate {
    let registry: ConnectionRegistry

    mutating func connectionOpened() {}
    mutating func connectionClosed() {}

    func isAcceptingNewConnections() -> Bool {
        guard let limit = registry.maxConnections else { return true }
        return registry.establishedCount < limit
    }
}

/// After the TLS handler: closes a connection whose handshake is not done within the budget, and tells the registry
/// when it is.
final class HandshakeDeadline: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny
    private let budget: TimeAmount
    private let registry: ConnectionRegistry
    private let metrics: AggregatorMetrics
    private var timer: Scheduled<Void>?

    init(budget: TimeAmount, registry: ConnectionRegistry, metrics: AggregatorMetrics) {
        (self.budget, self.registry, self.metrics) = (budget, registry, metrics)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let metrics = self.metrics
        let channel = context.channel
        timer = context.eventLoop.scheduleTask(in: budget) {
            metrics.closed(.handshakeTimeout)
            channel.close(promise: nil)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let tls = event as? TLSUserEvent, case .handshakeCompleted = tls {
            timer?.cancel()
            timer = nil
            registry.handshakeDone(context.channel)
        }
        context.fireUserInboundEventTriggered(event)
    }
}

/// After the TLS handler: a request must arrive whole within the deadline from its first byte.
///
/// The clock starts at the first decrypted byte read while no request is open, and stops when the server starts its
/// answer (the router answers only once the body is read, or refuses it early). An idle timer alone cannot see a
/// client that sends one byte every few seconds; this closes it at the deadline and counts it.
final class RequestDeadline: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let deadline: TimeAmount
    private let metrics: AggregatorMetrics
    private var timer: Scheduled<Void>?

    init(deadline: TimeAmount, metrics: AggregatorMetrics) {
        (self.deadline, self.metrics) = (deadline, metrics)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if timer == nil {
            let metrics = self.metrics
            let channel = context.channel
            timer = context.eventLoop.scheduleTask(in: deadline) {
                metrics.closed(.requestDeadline)
                channel.close(promise: nil)
            }
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        timer?.cancel()
        timer = nil
        context.write(data, promise: promise)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
    }
}
