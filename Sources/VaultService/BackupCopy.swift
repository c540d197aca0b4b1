import Foundation
import VaultCore

/// A consistent copy of the vault's database and the manifest that names it.
public struct BackupCopy: Sendable {
    public let database: Data
    public let manifest: BackupManifest

    public init(database: Data, manifest: BackupManifest) {
        self.database = database
        self.manifest = manifest
    }
}
