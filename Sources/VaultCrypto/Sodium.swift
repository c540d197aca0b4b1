import CSodium

/// One-time libsodium initialisation. Every public entry point of VaultCrypto calls
/// `Sodium.ready()` first; `sodium_init` is thread-safe and idempotent.
enum Sodium {
    private static let initialised: Bool = sodium_init() >= 0

    static func ready() throws(CryptoError) {
        guard initialised else { throw .libraryUnavailable }
    }
}
