import Foundation

extension PostgresCluster {
    /// `pg_dump` of `database` into a file of the cluster's directory (the server user's); its path.
    public func dump(_ database: String) throws -> String {
        let file = directory + "/" + database + "-" + String(UInt32.random(in: 0...UInt32.max), radix: 16) + ".dump"
        try host.run(["pg_dump", "-h", socketDirectory, "-p", String(port), "-U", superuser, "-Fc", "-f", file, database])
        return file
    }

    /// Puts `database` back as `file` holds it, as an operator restoring a backup would: the
    /// database is dropped (its sessions ended) and made again from the dump.
    public func restore(_ database: String, from file: String, owner: String = "postgres") throws {
        try psql("DROP DATABASE \(Self.identifier(database)) WITH (FORCE)")
        try createDatabase(database, owner: owner)
        try host.run(["pg_restore", "-h", socketDirectory, "-p", String(port), "-U", superuser, "-d", database, "--no-owner", file])
    }
}
