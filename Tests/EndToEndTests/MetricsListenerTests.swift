import Foundation
import Testing

/// `[metrics] listen`: Prometheus scrapes over loopback TCP, as any local user, and that
/// listener serves `GET /metrics` and nothing else.
@Suite struct MetricsListenerTests {
    @Test func prometheusScrapesLoopbackAndNothingElseIsServedThere() throws {
        let port = freePort()
        let d = try DaemonHarness(extra: "[metrics]\nlisten = \"127.0.0.1:\(port)\"\n")
        try d.start()
        #expect(d.log().contains("metrics listening on loopback TCP"), "\(d.log())")
        _ = try d.headers("GET", "https://api.vobiz.ai/api/v1/Account/MA_ACME/Call/")
        let base = "http://127.0.0.1:\(port)"
        // As a user who holds no grant and is in no group of the vault's: metrics carry no secret.
        let scrape = try Process.run("/usr/bin/env", ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                                                      "curl", "-s", "-w", "\n%{http_code}", base + "/metrics"])
        #expect(scrape.hasSuffix("\n200") && scrape.contains("vobiz_vault_requests_total") && scrape.contains("vobiz_vault_credentials"),
                "\(scrape.suffix(300))")
        #expect(!scrape.contains(d.s.canary))
        for (method, path, status) in [("GET", "/v1/health", "404"), ("POST", "/v1/headers", "404"), ("POST", "/metrics", "405"),
                                       ("GET", "/v1/admin/status", "404"), ("GET", "/v1/proxy/api/v1/partner/me", "404")] {
            let code = try Process.run("/usr/bin/env", ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", method, base + path])
            #expect(code == status, "\(method) \(path): \(code)")
        }
        #expect(d.stop() == 0)
    }
}
