import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What the leak sweep after the whole suite needs (`make test` runs scripts/leak-sweep.py once
/// `swift test` is done). With `VOBIZ_VAULT_TEST_KEEP=<dir>` set, test directories are made in
/// <dir> and left there with what the test captured, every secret a test hands out is listed in
/// <dir>/canaries (`kind value` lines), and files that hold secrets on purpose (a test's own
/// inputs) in <dir>/inputs. Without it nothing changes.
public enum SuiteSweep {
    public static let dir: String? = {
        guard let d = ProcessInfo.processInfo.environment["VOBIZ_VAULT_TEST_KEEP"], !d.isEmpty else { return nil }
        return d
    }()

    /// A new directory `<prefix><UUID>`: in the keep directory when there is one.
    public static func makeRoot(_ prefix: String) throws -> String {
        let root = (dir.map { $0 + "/" } ?? NSTemporaryDirectory()) + prefix + UUID().uuidString
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        return root
    }

    /// Removes a test's directory, unless it is kept for the sweep.
    public static func remove(_ root: String) {
        if dir == nil { try? FileManager.default.removeItem(atPath: root) }
    }

    /// Lists a secret for the sweep. `kind`: `prefix` (every token and password of a test starts
    /// with it), `token`, `password` or `jwt`.
    public static func canary(_ kind: String, _ value: String) {
        append("canaries", kind + " " + value)
    }

    /// Names a file a test wrote with secrets in it on purpose (its input, not an output).
    public static func input(_ path: String) {
        guard let dir else { return }
        append("inputs", path.hasPrefix(dir + "/") ? String(path.dropFirst(dir.count + 1)) : path)
    }

    /// Keeps what a test captured (outputs of the commands it ran) as a file for the sweep.
    public static func keep(_ texts: [String], at path: String) {
        guard dir != nil else { return }
        _ = FileManager.default.createFile(atPath: path, contents: Data(texts.joined(separator: "\n").utf8), attributes: [.posixPermissions: 0o600])
    }

    private static func append(_ name: String, _ line: String) {
        guard let dir else { return }
        // One write with O_APPEND per line: parallel tests and the mock append to the same file.
        let fd = open(dir + "/" + name, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return }
        defer { close(fd) }
        let bytes = Array((line + "\n").utf8)
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    }
}
