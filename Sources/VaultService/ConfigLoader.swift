import Foundation
import TOMLKit
import VaultCore

/// Reads the TOML configuration strictly: unknown keys and wrong types are errors, because a
/// misspelt security setting that silently falls back to a default is worse than a refusal.
public enum ConfigLoader {
    /// Loads `path`; when `path` is nil, the default file if it exists, else all defaults.
    public static func load(path: String?) throws(ConfigError) -> VaultConfig {
        let file = path ?? VaultConfig.defaultPath
        if path == nil, !FileManager.default.fileExists(atPath: file) { return VaultConfig() }
        let text: String
        do {
            text = try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            throw .unreadable(path: file, reason: (error as NSError).localizedDescription)
        }
        return try parse(text, path: file)
    }

    public static func parse(_ text: String, path: String = "config") throws(ConfigError) -> VaultConfig {
        if let p = TOMLPrecheck.problem(in: text) { throw .syntax(path: path, line: p.line, column: p.column, message: p.reason) }
        let root: TOMLTable
        do {
            root = try TOMLTable(string: text)
        } catch let e as TOMLParseError {
            throw .syntax(path: path, line: e.source.begin.line, column: e.source.begin.column, message: e.description)
        } catch {
            throw .syntax(path: path, line: 0, column: 0, message: "\(error)")
        }
        var c = VaultConfig()
        let r = Reader(path: path)
        for key in root.keys {
            switch key {
            case "vault": try r.vault(root[key], into: &c.vault)
            case "upstream": try r.upstream(root[key], into: &c.upstream)
            case "sockets": try r.sockets(root[key], into: &c.sockets)
            case "rotation": try r.rotation(root[key], into: &c.rotation)
            case "jwt": try r.jwt(root[key], into: &c.jwt)
            case "audit": try r.audit(root[key], into: &c.audit)
            case "remind": try r.remind(root[key], into: &c.remind)
            case "log": try r.log(root[key], into: &c.log)
            case "metrics": try r.metrics(root[key], into: &c.metrics)
            case "limits": try r.limits(root[key], into: &c.limits)
            case "sealed": try r.sealed(root[key], into: &c.sealed)
            case "store": try r.store(root[key], into: &c.store)
            case "fleet": try r.fleet(root[key], into: &c.fleet)
            case "grant": c.grants = try r.grants(root[key])
            default: throw .unknownKey(path: path, key: key)
            }
        }
        return c
    }
}
