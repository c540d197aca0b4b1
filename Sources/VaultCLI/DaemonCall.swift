import ArgumentParser
import Foundation
import VaultClient
import VaultCore
import VaultCrypto
import VaultService

/// Talking to the client socket: which socket, which daemon user, and problem answers.
enum DaemonCall {
    /// A daemon's JSON answer with its keys sorted, as `--json` prints every answer.
    static func sorted(_ doc: JSONValue) -> String {
        var out: [UInt8] = []
        defer { for i in out.indices { out[i] = 0 } }
        doc.writeSorted(to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    static func client(_ ctx: CLIContext) throws -> VaultClient {
        VaultClient(socketPath: ctx.clientSocket,
                    expectedUID: try DaemonUser.uid(ctx.config, stateDir: ctx.config.vault.stateDir))
    }

    /// Turns a problem+json answer into an error naming its type and detail.
    static func check(_ r: VaultClient.Response) throws {
        guard !(200..<300).contains(r.status) else { return }
        let doc = try? r.body.withUnsafeBytes { try JSONParser.parse($0) }
        var type = "error", detail = "HTTP \(r.status)"
        if case .string(let t)? = doc?["type"] { type = String(t.plainText.split(separator: ":").last ?? "") }
        if case .string(let d)? = doc?["detail"] { detail = d.plainText }
        throw CLIError.io("\(type): \(detail)")
    }
}
