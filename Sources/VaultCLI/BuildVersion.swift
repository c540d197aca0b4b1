import CVaultSystem
import VaultServer
import Foundation

/// What `vobiz-vault --version` prints: the package version (`VaultVersion`, which `make deb`
/// names the package after), and the git revision stamped into the binary after it was linked
/// (`scripts/stamp-build.sh`), so a binary can be traced to its source.
public enum BuildVersion {
    public static let version = VaultVersion.current

    /// The stamped revision, or nil in a binary that was never stamped (a development build).
    public static var revision: String? {
        let raw = UnsafeRawPointer(vv_build_stamp()).assumingMemoryBound(to: UInt8.self)
        let bytes = UnsafeBufferPointer(start: raw, count: Int(VV_BUILD_STAMP_SIZE))
        let text = String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
        return text.isEmpty ? nil : text
    }

    public static var line: String {
        "vobiz-vault \(version) (\(revision.map { "revision \($0)" } ?? "revision not recorded: not a packaged build"))"
    }
}
