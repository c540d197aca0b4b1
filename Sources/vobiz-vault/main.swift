import CVaultSystem
import VaultCLI

// Before anything handles a secret: a crash must print nothing and dump nothing.
vv_quiet_crashes()
await VobizVaultCLI.main()
