import Foundation
import VaultCore
import VaultStore

/// A new SQLite store with the metadata row a vault starts with, for tests of the store and
/// of components that write to it.
public enum SeededStore {
    public static func create(at path: String) throws -> SQLiteStore {
        let store = try SQLiteStore.create(at: path)
        try store.write { try $0.insertMeta(meta) }
        return store
    }

    /// The same in a new database of `cluster`, for `host`: its key slot first, as `init` makes it.
    public static func createPostgres(in cluster: PostgresCluster, host: String = "host-a") throws -> PostgresStore {
        let db = try cluster.createDatabase()
        let url = PostgresURL(endpoint: .socket(directory: cluster.socketDirectory, port: cluster.port), user: cluster.superuser, database: db)
        let store = PostgresStore.connect(PostgresSettings(url: url, password: nil, host: host))
        try store.migrate()
        try store.write { tx in
            guard let fleet = tx as? any FleetTransaction else { throw StoreError.io("not a fleet store") }
            try fleet.insert(KeySlotRecord(host: host, publicKey: Data((0..<32).map { _ in UInt8.random(in: 0...255) }), sealedSecret: Data(count: 48),
                                           kekKind: .key, kdfSalt: nil, kdfOpsLimit: nil, kdfMemLimit: nil, kekID: "k", kekSetAt: 1, createdAt: 1))
            try tx.insertMeta(meta)
        }
        return store
    }

    static var meta: VaultMetaRecord {
        VaultMetaRecord(format: 1, vaultID: String(repeating: "a", count: 32), createdAt: 1, kekKind: .key,
                        kdfSalt: nil, kdfOpsLimit: nil, kdfMemLimit: nil, wrappedDEK: Data(count: 72),
                        kekID: "k", kekSetAt: 1, dekID: "d", dekCreatedAt: 1)
    }
}
