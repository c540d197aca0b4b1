/// One `[[grant]]` of the policy (Docs/threat-model.md): which callers may do what with which credentials.
/// Selectors are ANDed; a grant with no selector matches no caller.
public struct Grant: Hashable, Sendable {
    public var name: String
    public var uids: Set<UInt32>?
    public var gids: Set<UInt32>?
    public var exes: Set<String>?
    public var units: Set<String>?
    public var credentials: [CredentialPattern]
    public var operations: Set<GrantOperation>
    /// Upper-case methods; nil allows any.
    public var methods: Set<String>?
    public var paths: [PathGlob]
    /// Whether `paths` was written in the config (a path outside the partner and customer
    /// trees needs an explicit pattern, not the default `/**`).
    public var pathsExplicit: Bool
    public var reveal: Bool
    /// Requests per second per caller uid; nil is unlimited.
    public var rate: Double?

    public init(name: String, uids: Set<UInt32>? = nil, gids: Set<UInt32>? = nil, exes: Set<String>? = nil,
                units: Set<String>? = nil, credentials: [CredentialPattern], operations: Set<GrantOperation>,
                methods: Set<String>? = nil, paths: [PathGlob]? = nil, reveal: Bool = false, rate: Double? = nil) throws(PolicyError) {
        guard uids != nil || gids != nil || exes != nil || units != nil else {
            throw .invalid("grant \(name) names no caller: give uid/user, gid/group, exe or unit")
        }
        if exes != nil && uids == nil && gids == nil && units == nil {
            // Whoever may run the program can run code of their own inside it (LD_PRELOAD, a
            // debugger, writing a request before exec'ing it): exe narrows a trusted set of
            // callers, it does not make one.
            throw .invalid("grant \(name) selects callers by exe alone; anyone who can run that program can make it ask: add uid/user, gid/group or unit")
        }
        guard !credentials.isEmpty else { throw .invalid("grant \(name) allows no credential") }
        guard !operations.isEmpty else { throw .invalid("grant \(name) allows no operation") }
        if let rate, !(rate > 0) { throw .invalid("grant \(name): rate must be above 0") }
        for m in methods ?? [] where !Self.knownMethods.contains(m) {
            throw .invalid("grant \(name): method \(Echo.short(m)) is not an HTTP method (\(Self.knownMethods.sorted().joined(separator: ", ")))")
        }
        for exe in exes ?? [] {
            if let why = PathRules.absoluteProblem(exe) { throw .invalid("grant \(name): exe \(Echo.short(exe, limit: 200)) \(why)") }
        }
        self.name = name
        self.uids = uids
        self.gids = gids
        self.exes = exes
        self.units = units
        self.credentials = credentials
        self.operations = operations
        self.methods = methods
        if let paths { self.paths = paths } else { self.paths = [try PathGlob("/**")] }
        pathsExplicit = paths != nil
        self.reveal = reveal
        self.rate = rate
    }

    /// Whether this grant matches the caller and allows the whole request (the fast check;
    /// `callerMismatches` and `requestMismatches` explain a refusal).
    public func allows(_ c: Caller, _ r: PolicyRequest) -> Bool {
        if let uids, !uids.contains(c.uid) { return false }
        if let gids, gids.isDisjoint(with: [c.gid] + c.groups) { return false }
        if let exes, !exes.contains(c.matchableExe ?? "") { return false }
        if let units, !units.contains(c.matchableUnit ?? "") { return false }
        guard operations.contains(r.operation), credentials.contains(where: { $0.matches(r.credential) }) else { return false }
        if let methods, !methods.contains(r.method) { return false }
        return paths.contains { $0.matches(r.path) }
    }

    /// Every reason this grant does not match the caller (empty: it matches).
    public func callerMismatches(_ c: Caller) -> [String] {
        var out: [String] = []
        if let uids, !uids.contains(c.uid) { out.append("uid \(c.uid) is not \(Self.list(uids))") }
        if let gids, gids.isDisjoint(with: [c.gid] + c.groups) { out.append("caller is in none of groups \(Self.list(gids))") }
        if let exes, !exes.contains(c.matchableExe ?? "") {
            out.append(c.exeAttested ? "exe \(c.exe ?? "unknown") is not \(Self.list(exes))"
                                     : "exe \(c.exe ?? "unknown") is not attested: \(c.attestationNote ?? "unknown reason")")
        }
        if let units, !units.contains(c.matchableUnit ?? "") {
            out.append(c.unitAttested ? "unit \(c.unit ?? "none") is not \(Self.list(units))"
                                      : "unit \(c.unit ?? "none") is not attested: \(c.attestationNote ?? "unknown reason")")
        }
        return out
    }

    /// Every reason this grant does not allow the request (empty: it allows it).
    public func requestMismatches(_ r: PolicyRequest) -> [String] {
        var out: [String] = []
        if !operations.contains(r.operation) { out.append("operation \(r.operation.rawValue) is not allowed") }
        if !credentials.contains(where: { $0.matches(r.credential) }) {
            out.append("credential \(r.credential) is not in \(credentials.map(\.description))")
        }
        if let methods, !methods.contains(r.method) { out.append("method \(r.method) is not in \(methods.sorted())") }
        if !paths.contains(where: { $0.matches(r.path) }) { out.append("path \(r.path) matches none of \(paths.map(\.pattern))") }
        return out
    }

    /// The request methods of HTTP (RFC 9110 §9, and PATCH from RFC 5789). A grant naming anything
    /// else is a typo that would otherwise allow nothing, or an extension method nobody reviewed.
    public static let knownMethods: Set<String> = ["GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"]

    static func list<T: Comparable & CustomStringConvertible>(_ s: Set<T>) -> String {
        s.count == 1 ? s.first!.description : "[" + s.sorted().map(\.description).joined(separator: ", ") + "]"
    }
}
