import ArgumentParser
import CVaultSystem
import Foundation
import Logging
import Synchronization
import VaultCore
import VaultCrypto
import VaultServer
import VaultService

extension Root {
    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the daemon: the client socket API, the admin socket, audit and reminders of state.",
            discussion: """
                Holds the vault exclusively. A key-file vault is unlocked at start; a passphrase vault starts \
                sealed and issues nothing until `vobiz-vault unseal`. SIGHUP reloads the policy (a broken \
                file keeps the old one); SIGTERM drains in-flight requests and exits 0. Under systemd it \
                adopts the sockets named client and admin and reports READY, RELOADING, STOPPING and \
                watchdog pings.
                """)

        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let hardened = vv_harden_process()
            RaiseFileLimit.toHard()
            let ctx = try CLIContext(global)
            let log = ctx.config.log, journald = LogLineHandler.stderrIsJournal(ctx.console.environment)
            LoggingSystem.bootstrap { _ in
                LogLineHandler(level: Logger.Level(rawValue: log.level) ?? .info, json: log.json, journald: journald)
            }
            let logger = Logger(label: "vobiz-vault")
            if hardened != 0 { logger.warning("could not disable core dumps", metadata: ["errno": "\(-hardened)"]) }
            let group = VaultDaemon.makeEventLoopGroup()
            let service = try open(ctx, logger, executor: group.next().executor)
            if await service.isUnlocked { try await service.prepareSigning(actor: ctx.actor) }
            let overrides = (stateDir: global.stateDir, keyFile: global.keyFile)
            let daemon = try VaultDaemon(
                service: service, group: group, configPath: global.config ?? ctx.console.environment["VOBIZ_VAULT_CONFIG"],
                loadConfig: { path in
                    var c = try ConfigLoader.load(path: path)
                    if let d = overrides.stateDir { c.vault.stateDir = d }
                    if let k = overrides.keyFile { c.vault.keyFile = k }
                    return c
                },
                limits: HTTPLimits(ctx.config.limits, upstream: ctx.config.upstream), logger: logger)
            try await daemon.run()
        }

        /// A key vault opens unlocked (the key is required); a passphrase vault without a
        /// passphrase file opens sealed.
        func open(_ ctx: CLIContext, _ logger: Logger, executor: any SerialExecutor) throws -> VaultService {
            let provider = ctx.keyProvider()
            let deferred = Mutex(false)
            let passphraseFile = global.passphraseFile
            do {
                return try VaultService.open(config: ctx.config, unlock: { needsPassphrase in
                    if needsPassphrase, passphraseFile == nil {
                        deferred.withLock { $0 = true }
                        throw ServiceError.masterKeyRequired(kind: "passphrase")
                    }
                    return try provider(needsPassphrase)
                }, exclusive: true, executor: executor)
            } catch {
                guard deferred.withLock({ $0 }) else { throw error }
                logger.notice("passphrase vault: starting sealed; run `vobiz-vault unseal`")
                return try VaultService.open(config: ctx.config, unlock: nil, exclusive: true, executor: executor)
            }
        }
    }
}
