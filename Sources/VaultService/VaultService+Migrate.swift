import VaultCore
import VaultStore

extension VaultService {
    /// `store migrate` (`StoreMigration`): hands the migration this vault's store, keys and
    /// master key, and runs the copy on the actor, so nothing else of the vault runs meanwhile.
    func migrate(_ migration: StoreMigration) throws(ServiceError) -> StoreMigration.Report {
        let keys = try requireKeys()
        guard let kek = keyring.masterKey else { throw .masterKeyRequired(kind: "the master key that opens this vault") }
        let place: String
        switch config.store.backend {
        case .sqlite: place = directory.databasePath
        case .postgres: place = config.store.url?.description ?? "postgres"
        }
        return try migration.copy(from: store, described: (config.store.backend.rawValue, place), keys: keys, kek: kek)
    }
}
