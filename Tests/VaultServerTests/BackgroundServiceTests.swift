import Foundation
import Logging
import NIOConcurrencyHelpers
import ServiceLifecycle
import Testing
import VaultCore
import VaultCrypto
import VaultService
import VaultTestSupport
#if canImport(Glibc)
import Glibc
#endif
@testable import VaultServer

/// Each loop beside the sockets ends when its group shuts down gracefully, without waiting out
/// its sleep, and says nothing alarming. The destroyer and the watchdog sleep an hour here, so
/// ending at all proves the sleep was cut short. Wall-clock bounds stay loose: in the full suite
/// the blocking end-to-end tests can hold both threads of the cooperative pool for a minute.
@Suite(.serialized) struct BackgroundServiceTests {
    /// Keeps what the services log, so a test can look for errors.
    final class Recorder: LogHandler, @unchecked Sendable {
        // @unchecked: `lines` is behind its lock; the rest is set before the group runs.
        let lines = NIOLockedValueBox<[(Logger.Level, String)]>([])
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            lines.withLockedValue { $0.append((event.level, "\(event.message)")) }
        }
        var alarms: [String] { lines.withLockedValue { $0.filter { $0.0 >= .error }.map(\.1) } }
    }

    static let longSleep: Duration = .seconds(3600)

    enum Kind: String, CaseIterable, Sendable { case auditFlusher, tokenEvictor, graceDestroyer, jwtRefresher, watchdog, reloader }

    @Test(.timeLimit(.minutes(10)), arguments: Kind.allCases)
    func stopsPromptlyOnGracefulShutdown(_ kind: Kind) async throws {
        let root = try SuiteSweep.makeRoot("vv-life-")
        defer { SuiteSweep.remove(root) }
        var config = VaultConfig()
        config.vault.stateDir = root + "/state"
        let actor = ActorIdentity(uid: getuid(), user: "test")
        let service = try VaultService.initialize(config: config, master: .key(try SecureBytes.random(count: 32)), actor: actor)
        let upstream = try UpstreamClient(config: config.upstream)
        let recorder = Recorder()
        let logger = Logger(label: "test") { _ in recorder }

        let subject: any Service = switch kind {
        case .auditFlusher: AuditFlusher(service: service, logger: logger)
        case .tokenEvictor: TokenEvictor(service: service, interval: Self.longSleep)
        case .graceDestroyer: GraceDestroyer(service: service, logger: logger, interval: Self.longSleep)
        case .jwtRefresher: JWTRefresher(service: service)
        case .watchdog: Watchdog(interval: Self.longSleep)
        case .reloader: Reloader(hangups: try SignalStream([SIGHUP]),
                                 reload: ConfigReload(service: service, configPath: nil, loadConfig: { [config] _ in config }, logger: logger))
        }
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: [.init(service: subject, successTerminationBehavior: .gracefullyShutdownGroup,
                             failureTerminationBehavior: .gracefullyShutdownGroup)],
            logger: logger))
        let took = try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            // Long enough for the loop to be inside its sleep (or its first pass).
            try await Task.sleep(for: .milliseconds(300))
            let asked = ContinuousClock.now
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return ContinuousClock.now - asked
        }
        #expect(took < Self.longSleep / 2, "\(kind) took \(took) to stop")
        #expect(recorder.alarms.isEmpty, "\(recorder.alarms)")
        await upstream.shutdown()
    }
}
