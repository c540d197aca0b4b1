import Foundation

extension PostgresCluster {
    /// A streaming standby of this cluster: a base backup over the socket, with a data
    /// directory, socket and port of its own. With `synchronous`, this cluster's commits return
    /// only once the standby holds them, so a failover loses nothing committed.
    public func makeStandby(synchronous: Bool = true) throws -> PostgresCluster {
        let (primarySocket, primaryPort) = (socketDirectory, port)
        let standby = try PostgresCluster(password: password) { host, data, socket in
            try host.run(["pg_basebackup", "-h", primarySocket, "-p", String(primaryPort), "-U", "postgres", "-D", data,
                          "-R", "-X", "stream", "--checkpoint=fast"])
            // The copy holds the primary's settings: the socket directory is the standby's own.
            try host.appendSettings(data, "unix_socket_directories = '\(socket)'")
        }
        guard synchronous else { return standby }
        try psql("ALTER SYSTEM SET synchronous_standby_names = '*'")
        try psql("SELECT pg_reload_conf()")
        let sync = "SELECT count(*) FROM pg_stat_replication WHERE sync_state = 'sync'"
        for _ in 0..<500 where try psql(sync) != "1" { usleep(20_000) }
        guard try psql(sync) == "1" else {
            standby.remove()
            throw Failure("the standby did not become synchronous; see \(standby.logFile)")
        }
        return standby
    }

    /// Holds back the replay of what this standby receives by `delay` (`recovery_min_apply_delay`):
    /// the primary's commits still return, as the standby has flushed them, but a reader here
    /// sees the state before them, as a lagging standby shows it. A promotion replays them.
    /// Restarted rather than reloaded: a reload returns before recovery has read the setting.
    public func delayReplay(_ delay: String) throws {
        try host.appendSettings(dataDirectory, "recovery_min_apply_delay = '\(delay)'")
        try stop(mode: .fast)
        try start()
    }

    /// Ends the standby's recovery: from now on it takes writes, as a promoted standby does.
    public func promote() throws {
        try host.run(["pg_ctl", "-D", dataDirectory, "-w", "-t", "60", "promote"])
    }
}
