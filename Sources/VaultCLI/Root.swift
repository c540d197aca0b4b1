import ArgumentParser

/// `vobiz-vault`: the root command. Each subcommand lives in its own file as an extension.
public struct Root: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "vobiz-vault",
        abstract: "Holds Vobiz API credentials encrypted and lets local processes use them without holding them.",
        version: BuildVersion.line,
        subcommands: [
            Init.self, Status.self, Import.self, List.self, Show.self, Rotate.self, Rollback.self, Revoke.self,
            Edit.self, Due.self, Remind.self, Audit.self, Rekey.self, Serve.self, Reload.self, Unseal.self, PolicyGroup.self, Headers.self,
            Exec.self, Capture.self, JWTGroup.self, FleetGroup.self, LoginCredentialsGroup.self, VerifyCallback.self, Backup.self, Restore.self, StoreGroup.self, DoctorCheck.self,
        ])

    public init() {}
}
