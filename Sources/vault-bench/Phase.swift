import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// The figures of one phase: throughput and latency percentiles.
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

/// Runs one phase: `o.connections` connections against `path` for `o.duration` seconds.
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
