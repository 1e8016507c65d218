import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A local HTTP endpoint for webhook tests: it answers the first `failures` requests
/// with 500 (`.max` for every request), then 200, and keeps what it received. With
/// `redirectTo` it answers every request 307 to that URL instead.
final class WebhookReceiver: Sendable {
    struct Received: Sendable {
        let headers: [String: String]
        let body: String
    }

    private let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    private let channel: any Channel
    private let state: State

    final class State: Sendable {
        let failures: Int
        let redirectTo: String?
        let received = Mutex<[Received]>([])
        init(failures: Int, redirectTo: String?) {
            self.failures = failures
            self.redirectTo = redirectTo
        }
    }

    var url: String { "http://127.0.0.1:\(channel.localAddress?.port ?? 0)/hook" }
    var received: [Received] { state.received.withLock { $0 } }

    init(failures: Int, redirectTo: String? = nil) throws {
        let state = State(failures: failures, redirectTo: redirectTo)
        self.state = state
        channel = try ServerBootstrap(group: group)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(Handler(state: state))
                }
            }
            .bind(host: "127.0.0.1", port: 0).wait()
    }

    func stop() {
        try? channel.close().wait()
        try? group.syncShutdownGracefully()
    }

    private final class Handler: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let state: State
        var head: HTTPRequestHead?
        var body = ByteBuffer()

        init(state: State) { self.state = state }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head):
                self.head = head
                body.clear()
            case .body(var part):
                body.writeBuffer(&part)
            case .end:
                guard let head else { return }
                let headers = Dictionary(head.headers.map { ($0.name.lowercased(), $0.value) }, uniquingKeysWith: { $1 })
                let count = state.received.withLock { received in
                    received.append(Received(headers: headers, body: String(buffer: body)))
                    return received.count
                }
                var status: HTTPResponseStatus = count <= state.failures ? .internalServerError : .ok
                var responseHeaders = HTTPHeaders()
                if let target = state.redirectTo {
                    status = .temporaryRedirect
                    responseHeaders.add(name: "location", value: target)
                }
                responseHeaders.add(name: "content-length", value: "0")
                responseHeaders.add(name: "connection", value: "close")
                context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: responseHeaders))), promise: nil)
                let channel = context.channel
                context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
            }
        }
    }
}
