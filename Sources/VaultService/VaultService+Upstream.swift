import VaultCore

/// The vault's client of the Vobiz API, for the calls the vault makes itself (JWT logins,
/// `rotate --verify`): the daemon's, on its event loop, once attached; without one (the CLI
/// with no daemon) a client of its own for that one call.
extension VaultService {
    public func attach(upstream client: UpstreamClient) {
        upstreamClient = client
    }

    func withUpstreamClient<T: Sendable>(_ body: (UpstreamClient) async throws -> T) async throws -> T {
        if let upstreamClient { return try await body(upstreamClient) }
        let client = try UpstreamClient(config: config.upstream)
        do {
            let result = try await body(client)
            await client.shutdown()
            return result
        } catch {
            await client.shutdown()
            throw error
        }
    }
}
