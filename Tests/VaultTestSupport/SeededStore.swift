import Foundation
import VaultStore

/// A new SQLite store with the metadata row a vault starts with, for tests of the store and
/// of components that write to it.
public enum SeededStore {
    public static func create(at path: String) throws -> SQLiteStore {
        let store = try SQLiteStore.create(at: path)
        try store.write { tx in
            try tx.insertMeta(VaultMetaRecord(format: 1, vaultID: String(repeating: "a", count: 32), createdAt: 1, kekKind: .key,
                                              kdfSalt: nil, kdfOpsLimit: nil, kdfMemLimit: nil, wrappedDEK: Data(count: 72),
                                              kekID: "k", kekSetAt: 1, dekID: "d", dekCreatedAt: 1))
        }
        return store
    }
}
