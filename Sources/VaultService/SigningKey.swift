import Foundation
import VaultCrypto

/// The Ed25519 key that signs sealed headers, with its key id.
struct SigningKey: Sendable {
    let kid: String
    let signer: Ed25519Signer
}
