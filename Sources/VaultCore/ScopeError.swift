/// Why a URL or a credential choice was refused. `kind` maps to the problem type of the socket API.
public enum ScopeError: Error, Equatable, Sendable, CustomStringConvertible {
    case badUpstream(String)
    case malformed(String)
    case wrongOrigin(String)
    case forbiddenCharacter(String)
    case forbiddenSegment(String)
    case forbiddenEncoding(String)
    case tooLong(Int)
    /// The caller named a credential other than the one the path implies.
    case mismatch(path: String, named: String)
    /// A path outside the partner and customer trees with no credential named.
    case credentialRequired

    /// Problem type suffix (Docs/api.md).
    public var problemType: String {
        switch self {
        case .mismatch: "scope_mismatch"
        default: "bad_request"
        }
    }

    public var description: String {
        switch self {
        case .badUpstream(let u): "upstream base_url \(Echo.short(u, limit: 80)) is not an http(s) origin"
        case .malformed(let why): "url is malformed: \(why)"
        case .wrongOrigin(let why): "url is not on the upstream: \(why)"
        case .forbiddenCharacter(let what): "url contains \(what)"
        case .forbiddenSegment(let what): "url path has \(what)"
        case .forbiddenEncoding(let what): "url path percent-encodes \(what), which is refused rather than decoded"
        case .tooLong(let n): "url path is \(n) bytes; at most 2048 are accepted"
        case .mismatch(let path, let named): "the path \(path) belongs to \(path.hasPrefix("/api/v1/partner") ? "the partner credential" : "another credential"), not \(named)"
        case .credentialRequired: "this path is outside the partner and customer trees: name a credential"
        }
    }
}
