import Foundation
import Testing
import VaultTestSupport

/// Hosts of one fleet on this machine: each a `DaemonHarness` of its own (state directory,
/// master key, sockets) whose rows live in one database of the tests' PostgreSQL cluster. The
/// first host creates the vault and imports the test credentials; the others join it, each
/// admitted by the first after the fingerprint check, as an operator would.
final class FleetHarness {
    let pg: PostgresCluster
    let database: String
    private(set) var hosts: [DaemonHarness] = []
    let names: [String]

    /// The loopback port of each host's proxy listener (`proxy_tcp`), when asked for.
    let proxyPorts: [Int]

    /// With `tcp`, where the hosts' password file is (a directory of its own).
    private let passwordDirectory: String?

    /// `extra`: more TOML for every host (an upstream, say); `scratch`: the first host's.
    /// `cluster`: a cluster of the test's own (one it stops and starts), else the shared one.
    /// `proxyTCP`: each host also listens for signed proxy requests on a loopback port.
    /// `tcp`: the hosts reach the server on 127.0.0.1 as the role `vault`, with its password
    /// from a file, rather than as the superuser on the socket.
    init(count: Int, grants: String = DaemonHarness.defaultGrants, extra: String = "", scratch: Scratch? = nil,
         cluster: PostgresCluster? = nil, proxyTCP: Bool = false, tcp: Bool = false) throws {
        pg = try cluster ?? PostgresCluster.shared
        database = try pg.createDatabase(owner: tcp ? pg.role : pg.superuser)
        passwordDirectory = tcp ? try SuiteSweep.makeRoot("vv-fleetpw-") : nil
        if let passwordDirectory { try pg.writePasswordFile(at: passwordDirectory + "/password") }
        names = (0..<count).map { "host-\(Character(UnicodeScalar(UInt8(ascii: "a") + UInt8($0))))" }
        proxyPorts = proxyTCP ? (0..<count).map { _ in freePort() } : []
        let sockets = (0..<count).map { proxyTCP ? "proxy_tcp = \"127.0.0.1:\(proxyPorts[$0])\"" : "" }
        let first = try DaemonHarness(grants: grants, extra: store(names[0]) + "\n" + extra, sockets: sockets[0], scratch: scratch)
        hosts.append(first)
        for (i, name) in names.enumerated().dropFirst() {
            let h = try DaemonHarness(grants: grants, extra: store(name) + "\n" + extra, sockets: sockets[i], seed: false)
            try join(h, name: name, admittedBy: first)
            hosts.append(h)
        }
    }

    deinit { passwordDirectory.map(SuiteSweep.remove) }

    /// The `[store]` and `[fleet]` tables of host `name`: the cluster's socket, no password; or
    /// its loopback port, with the password file.
    func store(_ name: String) -> String {
        let reach = passwordDirectory.map { "url = \"postgresql://\(pg.role)@127.0.0.1:\(pg.port)/\(database)\"\npassword_file = \"\($0)/password\"" }
            ?? "url = \"postgresql:///\(database)?host=\(pg.socketDirectory)&port=\(pg.port)&user=\(pg.superuser)\""
        return """
        [store]
        backend = "postgres"
        \(reach)

        [fleet]
        host = "\(name)"
        """
    }

    /// `fleet join` on `h` in the background, `fleet admit` with the fingerprint it printed.
    func join(_ h: DaemonHarness, name: String, admittedBy member: DaemonHarness) throws {
        let joining = try Binary.start(["fleet", "join", "--wait", "60s"] + h.cfg)
        let out = Binary.Drain(joining.out), err = Binary.Drain(joining.err)
        let fingerprint = try Self.waitForRequest(h, name: name, member: member)
        let admit = try member.s.vv(["fleet", "admit", name, "--fingerprint", fingerprint] + member.cfg)
        #expect(admit.code == 0, "\(admit.all)")
        joining.process.waitUntilExit()
        let printed = String(decoding: out.data(), as: UTF8.self)
        h.s.captured.append(printed)
        h.s.captured.append(String(decoding: err.data(), as: UTF8.self))
        #expect(joining.process.terminationStatus == 0, "\(printed)")
        #expect(printed.contains("join request \(name) fingerprint \(fingerprint)"))
    }

    /// The fingerprint of `name`'s pending request as `fleet list --json` shows it on a member.
    static func waitForRequest(_ h: DaemonHarness, name: String, member: DaemonHarness) throws -> String {
        for _ in 0..<200 {
            let r = try member.s.vv(["fleet", "list", "--json"] + member.cfg)
            if let hosts = (try? JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])?["hosts"] as? [[String: Any]],
               let slot = hosts.first(where: { $0["host"] as? String == name && $0["state"] as? String == "pending" }),
               let fp = slot["fingerprint"] as? String {
                return fp
            }
            usleep(50_000)
        }
        throw Binary.TimeoutError(args: ["fleet join", name])
    }

    func startAll() throws { for h in hosts { try h.start() } }
}
