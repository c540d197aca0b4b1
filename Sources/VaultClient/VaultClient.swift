// Swift client for the vault's socket API (DESIGN §7); filled in with the daemon.
