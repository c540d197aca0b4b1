extension Root.Init: HasGlobalOptions, LocalOnly {}
extension Root.Status: HasGlobalOptions {}
extension Root.Import: HasGlobalOptions {}
extension Root.List: HasGlobalOptions {}
extension Root.Show: HasGlobalOptions {}
extension Root.Rotate: HasGlobalOptions {}
extension Root.Rollback: HasGlobalOptions {}
extension Root.Revoke: HasGlobalOptions {}
extension Root.Edit: HasGlobalOptions {}
extension Root.Due: HasGlobalOptions {}
extension Root.Remind: HasGlobalOptions {}
extension Root.Audit.Tail: HasGlobalOptions {}
extension Root.Audit.Verify: HasGlobalOptions {}
extension Root.Audit.Export: HasGlobalOptions {}
extension Root.Rekey: HasGlobalOptions {}
extension Root.Serve: HasGlobalOptions, LocalOnly {}
extension Root.Unseal: HasGlobalOptions {}
extension Root.PolicyGroup.Check: HasGlobalOptions {}
extension Root.Headers: HasGlobalOptions, LocalOnly {}
extension Root.Exec: HasGlobalOptions, LocalOnly {}
extension Root.Capture: HasGlobalOptions {}
extension Root.JWTGroup.Status: HasGlobalOptions {}
extension Root.JWTGroup.Login: HasGlobalOptions {}
extension Root.JWTGroup.Forget: HasGlobalOptions {}
extension Root.LoginCredentialsGroup.Set: HasGlobalOptions {}
extension Root.LoginCredentialsGroup.Forget: HasGlobalOptions {}
extension Root.VerifyCallback: HasGlobalOptions, LocalOnly {}
extension Root.Backup: HasGlobalOptions, LocalOnly {}
extension Root.Restore: HasGlobalOptions, LocalOnly {}
extension Root.DoctorCheck: HasGlobalOptions, LocalOnly {}
