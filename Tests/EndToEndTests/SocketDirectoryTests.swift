import Foundation
import Testing

/// The socket directory (DESIGN §5): one owned by another user, or one that others may write to
/// (so they could replace the socket), is refused at start and left as it is.
@Suite(.serialized) struct SocketDirectoryTests {
    static func serve(_ d: DaemonHarness) throws -> Binary.Result {
        try Binary.run(["serve"] + d.cfg, timeout: 20)
    }

    static func mode(_ path: String) -> mode_t {
        var st = stat()
        return lstat(path, &st) == 0 ? st.st_mode & 0o7777 : 0
    }

    @Test func aDirectoryOwnedByAnotherUserIsRefused() throws {
        let d = try DaemonHarness()
        let run = d.s.root + "/run"
        try FileManager.default.createDirectory(atPath: run, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o750])
        #expect(chown(run, 65534, 65534) == 0)
        let r = try Self.serve(d)
        #expect(r.code != 0 && r.err.contains("socket directory \(run) is owned by uid 65534; refusing to use it"), "\(r.all)")
        var st = stat()
        #expect(lstat(run, &st) == 0 && st.st_uid == 65534 && Self.mode(run) == 0o750, "the directory was changed")
        #expect(try FileManager.default.contentsOfDirectory(atPath: run).isEmpty)
    }

    @Test func aDirectoryOthersCanWriteIsRefusedUnlessSticky() throws {
        let d = try DaemonHarness()
        let run = d.s.root + "/run"
        try FileManager.default.createDirectory(atPath: run, withIntermediateDirectories: false)
        for mode: mode_t in [0o777, 0o770, 0o757] {
            chmod(run, mode)
            let r = try Self.serve(d)
            #expect(r.code != 0 && r.err.contains("is writable by its group or others (mode \(String(mode, radix: 8)))")
                    && r.err.contains("chmod go-w \(run)"), "\(String(mode, radix: 8)): \(r.all)")
            #expect(Self.mode(run) == mode, "the daemon changed the directory's mode")
            #expect(try FileManager.default.contentsOfDirectory(atPath: run).isEmpty)
        }
        // With the sticky bit nobody can remove or rename the daemon's socket: accepted, as is a
        // directory of ours nobody else can write.
        for mode: mode_t in [0o1777, 0o755] {
            chmod(run, mode)
            try d.start()
            #expect(try d.curl(["http://v/v1/health"]).contains("\"ok\""), "\(String(mode, radix: 8))")
            #expect(d.stop() == 0)
            #expect(Self.mode(run) == mode)
        }
    }
}
