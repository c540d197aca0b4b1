import Foundation
import NIOConcurrencyHelpers
import Prometheus
import VaultCore
import VaultService

/// The Prometheus metrics of `GET /metrics` (admin socket). Names are part of the operator
/// contract (see Docs/api.md).
public final class DaemonMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()
    private let latency: DurationHistogram
    /// The request counters, made once: looking them up in the registry takes a lock per request.
    private let counters: [String: Counter]
    private let upstreamCounters: [String: Counter]
    /// Refusals of the TCP listener's requests for signatures that are missing, malformed, do
    /// not verify or are replayed: anyone on the host can send them, so they are counted here
    /// and audited in summary rows.
    let unauthenticatedRefusals: Counter

    public init() {
        latency = registry.makeDurationHistogram(
            descriptor: Self.name("request_duration", "seconds", "Time to answer a client request."),
            buckets: [.microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2),
                      .milliseconds(5), .milliseconds(10), .milliseconds(50), .milliseconds(250), .seconds(1)])
        // Every series exists from the start, so a dashboard shows 0 rather than nothing.
        var counters: [String: Counter] = [:]
        for op in GrantOperation.allCases {
            for decision in ["allowed", "refused"] {
                counters[op.rawValue + "|" + decision] = registry.makeCounter(
                    descriptor: Self.name("requests", "total", "Client requests by operation and decision."),
                    labels: [("operation", op.rawValue), ("decision", decision)])
            }
        }
        self.counters = counters
        var upstream: [String: Counter] = [:]
        for label in ["1xx", "2xx", "3xx", "4xx", "5xx", "error"] {
            upstream[label] = registry.makeCounter(
                descriptor: Self.name("upstream_responses", "total", "Upstream answers to proxied requests by status class."),
                labels: [("status", label)])
        }
        upstreamCounters = upstream
        unauthenticatedRefusals = registry.makeCounter(
            descriptor: Self.name("unauthenticated_refusals", "total", "TCP proxy requests refused for their signature."))
    }

    static func name(_ metric: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "vobiz_vault", metricName: metric, unitName: unit, helpText: help)
    }

    func request(_ op: GrantOperation, decision: String, since start: ContinuousClock.Instant) {
        counters[op.rawValue + "|" + decision]?.increment()
        latency.record(ContinuousClock.now - start)
    }

    /// Answers of the upstream to proxied requests, by status class (`error`: no answer).
    func upstream(status: Int?) {
        upstreamCounters[status.map { "\($0 / 100)xx" } ?? "error"]?.increment()
    }

    private let jwtSeen = NIOLockedValueBox<[String: Int]>([:])

    /// JWT logins by outcome: the service counts them; the counters advance by the difference.
    func jwtLogins(_ counts: [String: Int]) {
        let deltas: [(String, Int)] = jwtSeen.withLockedValue { seen in
            let d = counts.map { ($0.key, $0.value - (seen[$0.key] ?? 0)) }
            seen = counts
            return d
        }
        for (outcome, delta) in deltas where delta > 0 {
            registry.makeCounter(descriptor: Self.name("jwt_logins", "total", "JWT logins by outcome."), labels: [("outcome", outcome)])
                .increment(by: Int64(delta))
        }
    }

    /// A 401 from Vobiz to a credential the vault attached. Not per credential (any of
    /// them may be refused); which ones are is in `list` and the audit log.
    func rejected() {
        registry.makeCounter(descriptor: Self.name("upstream_rejections", "total", "401 answers from Vobiz to a token the vault attached."))
            .increment()
    }

    private func gauge(_ metric: String, _ unit: String, _ help: String, _ labels: [(String, String)] = []) -> Gauge {
        registry.makeGauge(descriptor: Self.name(metric, unit, help), labels: labels)
    }

    /// Sets the gauges that describe the vault's books, just before a scrape. Every series is
    /// per state, per standing or per partner: a scrape is the same size at two credentials
    /// and at a million (which credentials are due is what `due` and `remind` say).
    /// Without `books` (the store could not be read) only the audit gauges move.
    func refresh(books: BooksTally?, now: Int64, auditPending: Int, auditFailing: Bool, auditDropped: Int) {
        if let books { refresh(books: books, now: now) }
        gauge("audit_pending", "rows", "Audit rows waiting to be committed.").set(Double(auditPending))
        gauge("audit_failing", "", "1 while audit rows cannot be written (requests are refused).").set(Double(auditFailing ? 1 : 0))
        gauge("audit_dropped", "rows", "Audit rows dropped while the log could not be written.").set(Double(auditDropped))
    }

    private func refresh(books: BooksTally, now: Int64) {
        for s in AccountState.allCases {
            gauge("credentials", "", "Credentials by state.", [("state", s.rawValue)]).set(Double(books.byState[s] ?? 0))
        }
        for s in RotationTally.Standing.allCases {
            gauge("rotation", "", "Credentials by rotation standing (revoked: revoked or compromised, never due).",
                  [("standing", s.rawValue)]).set(Double(books.rotation.count(s)))
        }
        // Absent with no credential in use: nothing is due, and an alert on a threshold stays quiet.
        let nextDue = gauge("rotation_next_due", "seconds", "Seconds until the soonest rotation due date of a credential in use (negative: overdue).")
        if let seconds = books.rotation.nextDueSeconds { nextDue.set(Double(seconds)) } else { registry.unregisterGauge(nextDue) }
        if let p = books.partner, let j = p.jwt {
            let left: Double = j.state == "valid" ? Double((j.expiresAt ?? now) - now) : 0
            gauge("jwt_expires_in", "seconds", "Seconds until the JWT session expires (0 when it has none or it failed).",
                  [("auth_id", p.authID.rawValue)]).set(left)
            gauge("jwt_failing", "", "1 while the JWT login fails for a reason a retry cannot fix.",
                  [("auth_id", p.authID.rawValue)]).set(Double(j.state == "failed" ? 1 : 0))
        }
        gauge("credentials_rejected", "", "Credentials whose token Vobiz refused (401) at last use.").set(Double(books.rotation.rejected))
    }
}
