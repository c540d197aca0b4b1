import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOConcurrencyHelpers
import VaultCore
import VaultCrypto

// vault-bench: drives N keep-alive connections against the client socket for D seconds and
// prints throughput and latency percentiles, first for GET /v1/health (the floor), then for
// the endpoint under test.
//
//   vault-bench --socket /run/vobiz-vault/vault.sock --connections 16 --duration 10 \
//               --url https://api.vobiz.ai/api/v1/Account/MA_X/Call/ [--method GET] [--json]
//
// Proxy mode measures the egress proxy against calling the upstream directly, in one run:
//
//   vault-bench --mock 9099                    # a minimal upstream: 200 and a small JSON body
//   vault-bench --socket … --no-floor --direct 127.0.0.1:9099 --proxy /api/v1/Account/MA_X/Call/
//
// `--rate R` offers R requests/s in all instead of as many as the connections carry: each
// connection sends on a fixed schedule, and a latency counts from when its request was due, so
// time spent waiting behind a slow answer is counted (no coordinated omission). The phase starts
// once every connection is up; every request due before its end is sent, late if the vault fell
// behind (the phase then lasts longer than D, and the throughput shows it).
//
// Verify mode signs a fresh callback (V3, POST, a new nonce each time) with the token in a file
// and asks POST /v1/callbacks/verify:
//
//   vault-bench --socket … --no-floor --verify MA_X --token-file /path/to/token

struct Options {
    var socket = "/run/vobiz-vault/vault.sock"
    var connections = 16
    var duration = 10.0
    var url = ""
    var method = "GET"
    var credential: String?
    var json = false
    var skipFloor = false
    /// Upstream path to request through `/v1/proxy`, and the upstream to call directly.
    var proxyPath: String?
    var direct: (host: String, port: Int)?
    var mockPort: Int?
    /// Credential whose callbacks to verify, and the file holding its token.
    var verifyCredential: String?
    var tokenFile: String?
    /// Requests per second offered over all connections; nil sends the next request at once.
    var rate: Double?

    init(_ args: [String]) {
        var i = 0
        func next() -> String {
            i += 1
            guard i < args.count else { fatalError("missing value for \(args[i - 1])") }
            return args[i]
        }
        while i < args.count {
            switch args[i] {
            case "--socket": socket = next()
            case "--connections": connections = Int(next()) ?? 16
            case "--duration": duration = Double(next()) ?? 10
            case "--url": url = next()
            case "--method": method = next()
            case "--credential": credential = next()
            case "--json": json = true
            case "--no-floor": skipFloor = true
            case "--proxy": proxyPath = next()
            case "--mock": mockPort = Int(next())
            case "--verify": verifyCredential = next()
            case "--token-file": tokenFile = next()
            case "--rate":
                guard let r = Double(next()), r > 0 else { fatalError("--rate wants requests per second above 0") }
                rate = r
            case "--direct":
                let v = next()
                guard let c = v.lastIndex(of: ":"), let port = Int(v[v.index(after: c)...]) else { fatalError("--direct wants host:port") }
                direct = (String(v[..<c]), port)
            default: fatalError("unknown option \(args[i])")
            }
            i += 1
        }
    }
}

/// Latencies in nanoseconds, per connection (no locking on the hot path).
final class Recorder: @unchecked Sendable {
    var samples: [UInt64] = []
    var errors = 0
    init() { samples.reserveCapacity(1 << 20) }
}

final class LoadHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    let head: HTTPRequestHead
    let body: ByteBuffer?
    /// Makes each request's body afresh (verify mode: a new nonce every time).
    let makeBody: (@Sendable () -> ByteBuffer)?
    let recorder: Recorder
    var deadline: UInt64
    let done: EventLoopPromise<Void>
    /// With a fixed rate: nanoseconds between this connection's requests, and when the next is due.
    let interval: UInt64?
    var due: UInt64
    var started: UInt64 = 0
    var status: UInt = 0
    /// In verify mode an answer counts only when it says `"valid":true`.
    var bodyOK = true

    init(head: HTTPRequestHead, body: ByteBuffer?, makeBody: (@Sendable () -> ByteBuffer)?, recorder: Recorder, deadline: UInt64,
         done: EventLoopPromise<Void>, interval: UInt64? = nil) {
        self.head = head
        self.body = body
        self.makeBody = makeBody
        self.recorder = recorder
        self.deadline = deadline
        self.done = done
        self.interval = interval
        self.due = 0
    }

    /// Closed loop: the first request goes at once. With a fixed rate the phase starts all
    /// connections together once every one is connected (`begin`).
    func channelActive(context: ChannelHandlerContext) {
        if interval == nil { next(context) }
    }

    func begin(_ context: ChannelHandlerContext, firstDue: UInt64, deadline: UInt64) {
        due = firstDue
        self.deadline = deadline
        next(context)
    }

    /// Sends now, or (with a fixed rate) when the next request is due.
    func next(_ context: ChannelHandlerContext) {
        let now = DispatchTime.now().uptimeNanoseconds
        guard let interval else {
            started = now
            return send(context)
        }
        started = due
        due += interval
        guard started > now else { return send(context) }
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.eventLoop.scheduleTask(in: .nanoseconds(Int64(started - now))) { self.send(bound.value) }
    }

    func send(_ context: ChannelHandlerContext) {
        if let makeBody {
            let b = makeBody()
            var h = head
            h.headers.replaceOrAdd(name: "Content-Length", value: String(b.readableBytes))
            context.write(wrapOutboundOut(.head(h)), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(b))), promise: nil)
        } else {
            context.write(wrapOutboundOut(.head(head)), promise: nil)
            if let body { context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil) }
        }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h):
            status = h.status.code
            bodyOK = makeBody == nil
        case .body(let b):
            if makeBody != nil, b.readableBytesView.starts(with: Array(#"{"valid":true"#.utf8)) { bodyOK = true }
        case .end:
            let now = DispatchTime.now().uptimeNanoseconds
            if status == 200 && bodyOK { recorder.samples.append(now - started) } else { recorder.errors += 1 }
            // With a fixed rate every request due before the deadline is sent, late if the
            // vault fell behind, so the slowest are counted rather than left out.
            let more = interval == nil ? now < deadline : due < deadline
            if more { next(context) } else { context.close(promise: nil) }
        }
    }

    func channelInactive(context: ChannelHandlerContext) { done.succeed(()) }
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        recorder.errors += 1
        context.close(promise: nil)
    }
}

struct Phase {
    let name: String
    let requests: Int
    let errors: Int
    let seconds: Double
    let p50: Double, p99: Double, p999: Double

    var throughput: Double { Double(requests) / seconds }

    var text: String {
        String(format: "%-10@ %8.0f req/s  p50 %7.1f µs  p99 %7.1f µs  p99.9 %7.1f µs  (%d requests, %d errors)",
               name, throughput, p50, p99, p999, requests, errors)
    }

    var json: [String: Any] {
        ["name": name, "requests": requests, "errors": errors, "seconds": seconds, "throughput": throughput,
         "p50_us": p50, "p99_us": p99, "p999_us": p999]
    }
}

func run(_ o: Options, name: String, method: HTTPMethod, path: String, body: String?, group: any EventLoopGroup,
         tcp: (host: String, port: Int)? = nil, extra: [(String, String)] = [], makeBody: (@Sendable () -> ByteBuffer)? = nil) throws -> Phase {
    var headers = HTTPHeaders([("Host", "vobiz-vault")] + extra)
    var buffer: ByteBuffer?
    if makeBody != nil { headers.add(name: "Content-Type", value: "application/json") }
    if let body {
        buffer = ByteBuffer(string: body)
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "Content-Length", value: String(body.utf8.count))
    }
    let head = HTTPRequestHead(version: .http1_1, method: method, uri: path, headers: headers)
    let start = DispatchTime.now().uptimeNanoseconds
    let deadline = start + UInt64(o.duration * 1e9)
    var recorders: [Recorder] = []
    var done: [EventLoopFuture<Void>] = []
    // With a fixed rate each connection sends every `interval`, the connections spread evenly
    // over one interval, starting after all of them are connected.
    let interval = o.rate.map { UInt64(Double(o.connections) / $0 * 1e9) }
    var channels: [any Channel] = []
    for _ in 0..<o.connections {
        let recorder = Recorder()
        recorders.append(recorder)
        let promise = group.next().makePromise(of: Void.self)
        done.append(promise.futureResult)
        let body = buffer
        let bootstrap = ClientBootstrap(group: group)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.pipeline.addHTTPClientHandlers().flatMap {
                    channel.pipeline.addHandler(LoadHandler(head: head, body: body, makeBody: makeBody, recorder: recorder,
                                                            deadline: deadline, done: promise, interval: interval))
                }
            }
        if let tcp {
            channels.append(try bootstrap.connect(host: tcp.host, port: tcp.port).wait())
        } else {
            channels.append(try bootstrap.connect(unixDomainSocketPath: o.socket).wait())
        }
    }
    var began = start
    if let interval {
        began = DispatchTime.now().uptimeNanoseconds + 20_000_000
        let end = began + UInt64(o.duration * 1e9)
        for (n, channel) in channels.enumerated() {
            let first = began + interval * UInt64(n) / UInt64(o.connections)
            try channel.eventLoop.submit {
                let sync = channel.pipeline.syncOperations
                try sync.handler(type: LoadHandler.self).begin(sync.context(handlerType: LoadHandler.self), firstDue: first, deadline: end)
            }.wait()
        }
    }
    try EventLoopFuture.andAllComplete(done, on: group.next()).wait()
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - began) / 1e9
    let all = recorders.flatMap(\.samples).sorted()
    func pct(_ p: Double) -> Double { all.isEmpty ? 0 : Double(all[min(all.count - 1, Int(Double(all.count) * p))]) / 1000 }
    return Phase(name: name, requests: all.count, errors: recorders.reduce(0) { $0 + $1.errors }, seconds: seconds,
                 p50: pct(0.5), p99: pct(0.99), p999: pct(0.999))
}

/// The benchmark's upstream: answers every request 200 with a small JSON body, at once.
final class MockUpstream: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart
    static let body = #"{"api_id":"bench","meta":{"limit":20,"offset":0,"total_count":0},"objects":[]}"#

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .end = unwrapInboundIn(data) else { return }
        let headers = HTTPHeaders([("Content-Type", "application/json"), ("Content-Length", String(Self.body.utf8.count))])
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: Self.body)))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }
}

let options = Options(Array(CommandLine.arguments.dropFirst()))
// One event-loop thread: on a 2-core machine the daemon needs the other core.
let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
if let port = options.mockPort {
    let server = try ServerBootstrap(group: group)
        .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
        .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
        .childChannelInitializer { channel in
            channel.pipeline.configureHTTPServerPipeline().flatMap { channel.pipeline.addHandler(MockUpstream()) }
        }
        .bind(host: "127.0.0.1", port: port).wait()
    print("mock upstream on 127.0.0.1:\(port)")
    try server.closeFuture.wait()
    exit(0)
}
var phases: [Phase] = []
if !options.skipFloor {
    phases.append(try run(options, name: "health", method: .GET, path: "/v1/health", body: nil, group: group))
}
if !options.url.isEmpty {
    var request: [String: Any] = ["method": options.method, "url": options.url]
    if let c = options.credential { request["credential"] = c }
    let body = String(decoding: try JSONSerialization.data(withJSONObject: request), as: UTF8.self)
    phases.append(try run(options, name: "headers", method: .POST, path: "/v1/headers", body: body, group: group))
}
if let path = options.proxyPath {
    if let direct = options.direct {
        phases.append(try run(options, name: "direct", method: .GET, path: path, body: nil, group: group, tcp: direct,
                              extra: [("X-Auth-ID", "MA_BENCH"), ("X-Auth-Token", "bench-direct")]))
    }
    phases.append(try run(options, name: "proxy", method: .GET, path: "/v1/proxy" + path, body: nil, group: group))
}
if let credential = options.verifyCredential {
    guard let file = options.tokenFile, let text = try? String(contentsOfFile: file, encoding: .utf8) else {
        fatalError("--verify needs --token-file with the credential's token")
    }
    let key = try SecureBytes(copying: Array(text.trimmingCharacters(in: .whitespacesAndNewlines).utf8).withUnsafeBytes { $0 })
    let signer = try HMACSHA256.Keyed(key: key)
    let counter = NIOLockedValueBox(0)
    let url = "https://hooks.example.com/vobiz/answer?leg=a"
    let params: [String: CallbackSignature.Value] = ["From": .string("+15550001"), "To": .string("+15550002"), "CallUUID": .string("c-1")]
    // Signed before the phase starts (each with its own nonce), so the load client spends the
    // shared CPU on sending, not on signing.
    let count = Int(options.duration * 40_000)
    let bodies: [ByteBuffer] = (0..<count).map { n in
        let nonce = "bench-\(getpid())-\(n)"
        let sig = Base64.encode(Array(signer.mac(CallbackSignature.v3Message(method: "POST", url: url, params: params, nonce: nonce))))
        return ByteBuffer(string: #"{"credential":"\#(credential)","method":"POST","url":"\#(url)","params":{"From":"+15550001","To":"+15550002","CallUUID":"c-1"},"headers":{"X-Vobiz-Signature-V3":"\#(sig)","X-Vobiz-Signature-V3-Nonce":"\#(nonce)"}}"#)
    }
    phases.append(try run(options, name: "verify", method: .POST, path: "/v1/callbacks/verify", body: nil, group: group, makeBody: {
        let n = counter.withLockedValue { $0 += 1; return $0 }
        return bodies[n % count]
    }))
}
try group.syncShutdownGracefully()
if let d = phases.first(where: { $0.name == "direct" }), let p = phases.first(where: { $0.name == "proxy" }), !options.json {
    print(String(format: "proxy overhead: p50 +%.1f µs, p99 +%.1f µs", p.p50 - d.p50, p.p99 - d.p99))
}
if options.json {
    var doc: [String: Any] = ["connections": options.connections, "duration": options.duration, "phases": phases.map(\.json)]
    if let rate = options.rate { doc["rate"] = rate }
    print(String(decoding: try JSONSerialization.data(withJSONObject: doc, options: [.sortedKeys]), as: UTF8.self))
} else {
    let offered = options.rate.map { String(format: ", %.0f req/s offered", $0) } ?? ""
    print("vault-bench: \(options.connections) connections\(offered), \(options.duration) s per phase, \(options.socket)")
    phases.forEach { print($0.text) }
}
