import Testing
@testable import VaultCore

@Suite struct RoutingOverrideTests {
    @Test func overrideHeadersAreDroppedAndOthersKept() {
        let incoming: [(name: String, value: String)] = [
            ("X-HTTP-Method-Override", "DELETE"), ("x-http-method", "DELETE"), ("X-Method-Override", "PUT"),
            ("X-Original-URL", "/x"), ("X-Rewrite-URL", "/x"), ("X-Forwarded-Host", "e"), ("X-Forwarded-Proto", "http"),
            ("X-Forwarded-Prefix", "/p"), ("X-Forwarded-For", "1.2.3.4"), ("Forwarded", "host=e"), ("X-Host", "e"),
            ("X-Forwarded-Server", "e"), ("X-Forwarded-Whatever", "1"), ("X-Envoy-Original-Path", "/x"), ("X-Real-IP", "1.2.3.4"),
            ("Accept", "application/json"), ("X-Request-Id", "r1"), ("X-Forwardedness", "kept: not the X-Forwarded- family"),
        ]
        #expect(ProxyRules.forwardedRequestHeaders(incoming).map(\.name) == ["Accept", "X-Request-Id", "X-Forwardedness"])
    }
}
