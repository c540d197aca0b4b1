/// What a caller asks for, in the terms grants speak.
public struct PolicyRequest: Hashable, Sendable {
    public var operation: GrantOperation
    public var credential: AuthID
    public var method: String
    /// Canonical path, without the query.
    public var path: String

    public init(operation: GrantOperation, credential: AuthID, method: String, path: String) {
        self.operation = operation
        self.credential = credential
        self.method = method
        self.path = path
    }
}

/// The grants of the configuration, consulted in order; default deny.
public struct Policy: Hashable, Sendable {
    public let grants: [Grant]

    public init(grants: [Grant]) { self.grants = grants }

    public enum Decision: Hashable, Sendable {
        case allowed(Grant)
        /// Every grant and every reason it did not allow the request.
        case denied([(grant: String, reasons: [String])])

        public static func == (a: Decision, b: Decision) -> Bool {
            switch (a, b) {
            case (.allowed(let x), .allowed(let y)): x == y
            case (.denied(let x), .denied(let y)): x.map(\.grant) == y.map(\.grant) && x.map(\.reasons) == y.map(\.reasons)
            default: false
            }
        }

        public func hash(into h: inout Hasher) {
            switch self {
            case .allowed(let g): h.combine(g)
            case .denied(let d): h.combine(d.map(\.grant))
            }
        }

        public var grant: Grant? {
            if case .allowed(let g) = self { return g }
            return nil
        }
    }

    /// The first grant that matches the caller and allows all of the request.
    public func decide(_ caller: Caller, _ request: PolicyRequest) -> Decision {
        // The reasons are spelled out only when no grant allows the request.
        if let g = grants.first(where: { $0.allows(caller, request) }) { return .allowed(g) }
        var reasons: [(String, [String])] = []
        for g in grants {
            let why = g.callerMismatches(caller) + g.requestMismatches(request)
            if why.isEmpty { return .allowed(g) }
            reasons.append((g.name, why))
        }
        return .denied(reasons)
    }

    /// The first grant that matches the caller and allows `operation` with `credential` for some
    /// request: what a session serving many requests (`exec --proxy`) needs to open; each
    /// request of it is then decided on its own.
    public func sessionGrant(_ caller: Caller, _ operation: GrantOperation, credential: AuthID) -> Grant? {
        matchingGrants(caller).first { $0.operations.contains(operation) && $0.credentials.contains { $0.matches(credential) } }
    }

    /// Whether any grant matches the caller at all (for the operations that name no credential).
    public func matchingGrants(_ caller: Caller) -> [Grant] {
        grants.filter { $0.callerMismatches(caller).isEmpty }
    }
}
