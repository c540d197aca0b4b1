import VaultCrypto

/// The partner's JWT login as the vault stores it: the email, a newline, the password, in
/// locked memory.
public enum LoginSecret {
    public static func join(_ email: UnsafeRawBufferPointer, _ password: UnsafeRawBufferPointer) throws -> SecureBytes {
        let out = try SecureBytes(count: email.count + 1 + password.count)
        out.withUnsafeMutableBytes { o in
            o.copyMemory(from: email)
            o[email.count] = 0x0A
            UnsafeMutableRawBufferPointer(rebasing: o[(email.count + 1)...]).copyMemory(from: password)
        }
        return out
    }
}
