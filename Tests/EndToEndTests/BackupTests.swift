import Foundation
import Testing

/// `backup` while the daemon runs, `restore` into another state directory and over the vault,
/// and the refusals.
@Suite struct BackupTests {
    @Test func backupWhileServingThenRestoreElsewhereAndInPlace() throws {
        let d = try DaemonHarness()
        try d.start()
        let file = d.s.root + "/vault.backup"
        let b = try d.s.vv(["backup", "--to", file, "--json"] + d.cfg)
        #expect(b.code == 0, "\(b.all)")
        let manifest = (try? JSONSerialization.jsonObject(with: Data(b.out.utf8)) as? [String: Any]) ?? [:]
        #expect(manifest["accounts"] as? Int == 4 && (manifest["vault_id"] as? String)?.count == 32, "\(b.out)")
        var st = stat()
        stat(file, &st)
        #expect(st.st_mode & 0o777 == 0o600)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: file))
        #expect(bytes.range(of: Data(d.s.canary.utf8)) == nil, "a backup holds ciphertext only")
        #expect(try d.s.vv(["backup", "--to", file] + d.cfg).code == 1, "never overwrites")
        // A change after the backup, to see what a restore brings back.
        #expect(try d.s.vv(["import"] + d.cfg, stdin: #"{"auth_id":"MA_LATER","auth_token":"\#(d.s.token("later"))"}"#).code == 0)
        let busy = try d.s.vv(["restore", "--from", file] + d.cfg)
        #expect(busy.code == 1 && busy.err.contains("daemon holds"), "\(busy.all)")

        // Into a second state directory, with the vault's key.
        let other = d.s.root + "/other"
        let r = try d.s.vv(["restore", "--from", file, "--state-dir", other, "--key-file", d.s.key])
        #expect(r.code == 0, "\(r.all)")
        let list = try d.s.vv(["list", "--state-dir", other])
        #expect(list.out.contains("MA_ACME") && !list.out.contains("MA_LATER"), "\(list.all)")
        #expect(try d.s.vv(["audit", "verify", "--state-dir", other, "--key-file", d.s.key]).code == 0)

        // Refusals: another key, a damaged copy.
        let wrongKey = d.s.root + "/wrong.key"
        #expect(try d.s.vv(["init", "--state-dir", d.s.root + "/scratch-vault", "--key-file", wrongKey]).code == 0)
        let wrong = try d.s.vv(["restore", "--from", file, "--state-dir", d.s.root + "/third", "--key-file", wrongKey])
        #expect(wrong.code == 1 && wrong.err.contains("master key does not open this backup"), "\(wrong.all)")
        #expect(!FileManager.default.fileExists(atPath: d.s.root + "/third/vault.db"))
        let damaged = d.s.root + "/damaged.backup"
        var copy = bytes
        copy[copy.count / 2] ^= 0xFF
        try copy.write(to: URL(fileURLWithPath: damaged))
        try FileManager.default.copyItem(atPath: file + ".manifest.json", toPath: damaged + ".manifest.json")
        let bad = try d.s.vv(["restore", "--from", damaged, "--state-dir", d.s.root + "/fourth", "--key-file", d.s.key])
        #expect(bad.code == 1 && bad.err.contains("does not match its manifest"), "\(bad.all)")

        // Over the vault itself, once the daemon is stopped: the replaced vault is kept aside.
        #expect(d.stop() == 0)
        let inPlace = try d.s.vv(["restore", "--from", file] + d.cfg)
        #expect(inPlace.code == 0, "\(inPlace.all)")
        let kept = try FileManager.default.contentsOfDirectory(atPath: d.s.state).filter { $0.hasPrefix("vault.db.pre-restore-") }
        #expect(kept.count == 1)
        #expect(!(try d.s.vv(["list"] + d.cfg).out.contains("MA_LATER")))
        try d.start()
        let h = try d.headers("GET", "https://api.vobiz.ai/api/v1/Account/MA_ACME/Call/")
        #expect((h["headers"] as? [String: Any])?["X-Vault-Signature"] != nil, "\(h)")
        #expect(try d.s.canaryHits().isEmpty)
    }

    /// Another user plants dangling symlinks in a directory they own, where an operator (root
    /// here) will write a backup: the backup, its manifest and a new key file are refused, and
    /// nothing appears at the links' targets.
    @Test func backupRefusesASymlinkPlantedInAnotherUsersDirectory() throws {
        let d = try DaemonHarness()
        try d.start()
        let drop = d.s.root + "/drop", victim = d.s.root + "/victim"
        try FileManager.default.createDirectory(atPath: drop, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o755])
        chown(drop, 65534, 65534)
        try FileManager.default.createDirectory(atPath: victim, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        func plant(_ target: String, _ link: String) throws {
            _ = try Process.run("/usr/bin/env", ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "ln", "-s", target, link])
            var st = stat()
            #expect(lstat(link, &st) == 0 && st.st_mode & S_IFMT == S_IFLNK && st.st_uid == 65534, "not planted: \(link)")
        }
        try plant(victim + "/planted", drop + "/vault.backup")
        try plant(victim + "/planted.manifest", drop + "/other.backup.manifest.json")
        try plant(victim + "/planted.key", drop + "/new.key")

        let copy = try d.s.vv(["backup", "--to", drop + "/vault.backup"] + d.cfg)
        #expect(copy.code == 1 && copy.err.contains("never"), "\(copy.all)")
        let manifest = try d.s.vv(["backup", "--to", drop + "/other.backup"] + d.cfg)
        #expect(manifest.code == 1 && manifest.err.contains("never"), "\(manifest.all)")
        #expect(!FileManager.default.fileExists(atPath: drop + "/other.backup"), "a failed backup leaves no half")
        let key = try d.s.vv(["init", "--state-dir", d.s.root + "/second", "--key-file", drop + "/new.key"])
        #expect(key.code != 0, "\(key.all)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: victim).isEmpty, "a file was created through a planted link")

        // A plain name in the same directory is fine, and the copy restores.
        let fine = try d.s.vv(["backup", "--to", drop + "/fine.backup"] + d.cfg)
        #expect(fine.code == 0, "\(fine.all)")
        var st = stat()
        #expect(stat(drop + "/fine.backup", &st) == 0 && st.st_mode & 0o777 == 0o600 && st.st_uid == geteuid())
        let r = try d.s.vv(["restore", "--from", drop + "/fine.backup", "--state-dir", d.s.root + "/third", "--key-file", d.s.key])
        #expect(r.code == 0, "\(r.all)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: d.s.state).allSatisfy { !$0.hasPrefix("backup-") }, "temporary copy left behind")
        #expect(d.stop() == 0)
    }
}
