import Foundation
import VaultCore
import VaultCrypto
#if canImport(Glibc)
import Glibc
#endif

/// The two files of `backup --to FILE`: the copy and `FILE.manifest.json`. Both names are
/// taken before the copy is made, each created new and never through a symlink (the directory
/// may be someone else's); from then on they are written through their descriptors only, and
/// removed again unless the backup finishes.
public final class BackupFiles {
    public let path: String
    let copy: Int32
    let manifest: Int32
    var finished = false

    public init(path: String) throws(ServiceError) {
        self.path = path
        copy = try Self.create(path)
        do { manifest = try Self.create(BackupManifest.path(for: path)) } catch {
            close(copy)
            unlink(path)
            throw error
        }
    }

    deinit {
        close(copy)
        close(manifest)
        if !finished { unlink(path); unlink(BackupManifest.path(for: path)) }
    }

    /// Writes the copy and its manifest, each synced, once the copy is what the manifest names
    /// (a copy that came over the admin socket may have been damaged or cut short on the way).
    public func finish(_ backup: BackupCopy) throws(ServiceError) {
        guard Hex.encode(backup.database.withUnsafeBytes { SHA256.hash($0) }) == backup.manifest.sha256 else {
            throw .tampered("the copy does not match its manifest (SHA-256 differs): it was damaged or cut short on the way; nothing was kept")
        }
        guard backup.database.withUnsafeBytes({ NewFile.writeAll(copy, $0) }) else {
            throw .store("cannot write the backup to \(path): \(String(cString: strerror(errno)))")
        }
        let manifestPath = BackupManifest.path(for: path)
        let data: Data
        do { data = try backup.manifest.fileContent() } catch { throw .store("cannot encode the manifest: \(error)") }
        guard data.withUnsafeBytes({ NewFile.writeAll(manifest, $0) }) else {
            throw .store("cannot write \(manifestPath): \(String(cString: strerror(errno)))")
        }
        finished = true
    }

    private static func create(_ path: String) throws(ServiceError) -> Int32 {
        switch NewFile.create(path, mode: 0o600) {
        case .success(let fd): return fd
        case .failure(let refused): throw .invalidInput("\(path) \(refused); backup never overwrites")
        }
    }
}
