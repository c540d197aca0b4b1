import VaultCLI

await VobizVaultCLI.main()
