/// `GET /v1/admin/fleet` and `fleet list --json`: `{"hosts": [...], "this_host": NAME}`.
public struct FleetView: Codable, Sendable, Equatable {
    /// One host's key slot: never a key, only the public key's fingerprint.
    public struct Host: Codable, Sendable, Equatable {
        public var host: String
        /// `pending` (asked to join), `admitted` (sealed to, not yet taken), `active`, or
        /// `stale` (holds an earlier data key: a member must admit it again after a rekey).
        public var state: String
        public var fingerprint: String
        public var requestedAt: String
        public var joinedAt: String?
        public var admittedBy: String?
        public var lastSeen: String?
        /// In `fleet admit`'s answer only: the fingerprint of the data key sealed to the host,
        /// which its `fleet join` prints once it took the key (compare the two).
        public var dataKeyFingerprint: String?

        public init(host: String, state: String, fingerprint: String, requestedAt: Int64, joinedAt: Int64?, admittedBy: String?, lastSeen: Int64?) {
            self.host = host
            self.state = state
            self.fingerprint = fingerprint
            self.requestedAt = Timestamp.iso(requestedAt)
            self.joinedAt = joinedAt.map(Timestamp.iso)
            self.admittedBy = admittedBy
            self.lastSeen = lastSeen.map(Timestamp.iso)
        }

        enum CodingKeys: String, CodingKey {
            case host, state, fingerprint
            case requestedAt = "requested_at", joinedAt = "joined_at", admittedBy = "admitted_by", lastSeen = "last_seen"
            case dataKeyFingerprint = "data_key_fingerprint"
        }

        /// Every key, `null` when unset: the admin API's keys are stable.
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(host, forKey: .host)
            try c.encode(state, forKey: .state)
            try c.encode(fingerprint, forKey: .fingerprint)
            try c.encode(requestedAt, forKey: .requestedAt)
            try c.encode(joinedAt, forKey: .joinedAt)
            try c.encode(admittedBy, forKey: .admittedBy)
            try c.encode(lastSeen, forKey: .lastSeen)
            try c.encodeIfPresent(dataKeyFingerprint, forKey: .dataKeyFingerprint)
        }
    }

    public var hosts: [Host]
    public var thisHost: String
    /// The fingerprint of the fleet's data key (a commitment to it, not the key), when the
    /// vault was opened with its key; `fleet join --vault-fingerprint` takes it.
    public var dataKeyFingerprint: String?

    public init(hosts: [Host], thisHost: String, dataKeyFingerprint: String? = nil) {
        self.hosts = hosts
        self.thisHost = thisHost
        self.dataKeyFingerprint = dataKeyFingerprint
    }

    enum CodingKeys: String, CodingKey { case hosts, thisHost = "this_host", dataKeyFingerprint = "data_key_fingerprint" }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(hosts, forKey: .hosts)
        try c.encode(thisHost, forKey: .thisHost)
        try c.encode(dataKeyFingerprint, forKey: .dataKeyFingerprint)
    }
}
