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
// `--upstream-delay MS` asks the mock (through the proxy too) to answer each call after MS
// milliseconds, as an API across a network does: the proxy then has many calls in flight.
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
    // Unbuffered: whoever started the mock waits for this line.
    FileHandle.standardOutput.write(Data("mock upstream on 127.0.0.1:\(port)\n".utf8))
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
    let delay = options.upstreamDelay.map { [(MockUpstream.delayHeader, String($0))] } ?? []
    if let direct = options.direct {
        phases.append(try run(options, name: "direct", method: .GET, path: path, body: nil, group: group, tcp: direct,
                              extra: [("X-Auth-ID", "MA_BENCH"), ("X-Auth-Token", "bench-direct")] + delay))
    }
    phases.append(try run(options, name: "proxy", method: .GET, path: "/v1/proxy" + path, body: nil, group: group, extra: delay))
}
if let credential = options.verifyCredential {
    guard let file = options.tokenFile, let text = try? String(contentsOfFile: file, encoding: .utf8) else {
        Options.fail("--verify needs --token-file with the credential's token")
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
