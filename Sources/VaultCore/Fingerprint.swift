/// How a token's keyed BLAKE2b digest is shown: 16 lower-case hex digits (64 bits), enough to
/// tell versions apart at a glance and to match `vaulted:<fingerprint>` placeholders.
public enum Fingerprint {
    public static let hexLength = 16

    public static func render(_ digest: some Collection<UInt8>) -> String {
        Hex.encode(digest.prefix(hexLength / 2))
    }
}
