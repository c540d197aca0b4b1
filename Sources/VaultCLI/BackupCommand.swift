import ArgumentParser
import Foundation
import VaultCore
import VaultService

extension Root {
    struct Backup: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy the vault to FILE (and FILE.manifest.json), also while the daemon runs.",
            discussion: """
                SQLite's online backup from a read-only connection: a consistent copy while the daemon \
                writes. The copy holds ciphertext only (no key is needed or used) and is created 0600 by \
                you; the manifest names the vault id, the master key id and the copy's SHA-256. Never \
                overwrites. While a daemon runs, an admin gets the copy through its admin socket; \
                without one, run it as the vault's owner or root.
                """)

        @OptionGroup var global: GlobalOptions
        @Option(help: "The file to create.") var to: String

        func run() async throws {
            let ctx = try CLIContext(global)
            // Both names first: a name that is taken costs no copy.
            let files = try BackupFiles(path: to)
            let copy = try await ctx.admin(needKey: false).backup()
            try files.finish(copy)
            let m = copy.manifest
            if ctx.json {
                ctx.console.out(JSONOutput.render(m.json(file: to)))
            } else {
                ctx.console.out("backed up vault \(m.vaultID) (\(m.accounts) credentials, audit head \(m.auditHeadSeq)) to \(to); manifest \(BackupManifest.path(for: to))")
            }
        }
    }

    struct Restore: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Put a backup in place of the vault (the daemon must be stopped).",
            discussion: """
                Checks the copy against its manifest, that the master key (--key-file, the systemd \
                credential or the passphrase) opens it and that its audit log verifies; then replaces the \
                vault in the state directory. The vault it replaces is kept as vault.db.pre-restore-<time>.
                """)

        @OptionGroup var global: GlobalOptions
        @Option(help: "The backup file (with FILE.manifest.json beside it).") var from: String

        func run() async throws {
            let ctx = try CLIContext(global)
            let m = try VaultService.restore(config: ctx.config, from: from, unlock: ctx.keyProvider())
            if ctx.json {
                ctx.console.out(JSONOutput.render(m.json(file: from)))
            } else {
                ctx.console.out("restored vault \(m.vaultID) (\(m.accounts) credentials, audit head \(m.auditHeadSeq)) from \(from) into \(ctx.config.vault.stateDir)")
            }
        }
    }
}

extension BackupManifest {
    func json(file: String) -> [String: Any] {
        ["file": file, "manifest": BackupManifest.path(for: file), "vault_id": vaultID, "kek_kind": kekKind, "kek_id": kekID,
         "dek_id": dekID, "created_at": createdAt, "audit_head_seq": auditHeadSeq, "accounts": accounts, "sha256": sha256]
    }
}
