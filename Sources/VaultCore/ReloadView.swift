/// `POST /v1/admin/reload` and `vobiz-vault reload --json`: the configuration was read again and
/// its policy is in force, with this many grants. A file that does not load is answered with
/// problem `config_invalid` instead, and the policy in force stays.
public struct ReloadView: Codable, Sendable, Equatable {
    public var reloaded: Bool
    public var grants: Int

    public init(grants: Int) {
        reloaded = true
        self.grants = grants
    }
}
