/// The version this binary reports (`/v1/health`, `vobiz-vault --version`), and that
/// `make deb` names the package after.
public enum VaultVersion {
    public static let current = "0.9.0"
}
