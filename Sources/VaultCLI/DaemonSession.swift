import VaultCore
import VaultService

/// Set while a command runs inside the daemon on behalf of an admin-socket caller: commands
/// then use the daemon's open vault and record that caller as the actor.
struct DaemonSession: Sendable {
    let service: VaultService
    let actor: ActorIdentity

    @TaskLocal static var current: DaemonSession?
}

/// Every command exposes its global options, so the runner can forward it to a daemon.
protocol HasGlobalOptions {
    var global: GlobalOptions { get }
}

/// Commands that must not run through the admin socket.
protocol LocalOnly {}
