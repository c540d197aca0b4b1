import Foundation

/// A certificate authority of a test's own and one server certificate it signed, made with
/// openssl in `directory`: for servers that tests talk to over TLS and clients that verify them.
public struct TestCertificates: Sendable {
    public let caFile: String
    public let certificateFile: String
    public let keyFile: String

    /// `names`: the server certificate's subjectAltName entries, as openssl writes them
    /// ("DNS:localhost", "IP:127.0.0.1"); `tag` keeps several sets apart in one directory.
    public init(in directory: String, names: [String], tag: String = "server") throws {
        let caKey = directory + "/\(tag)-ca.key", request = directory + "/\(tag).csr", extensions = directory + "/\(tag).ext"
        caFile = directory + "/\(tag)-ca.crt"
        certificateFile = directory + "/\(tag).crt"
        keyFile = directory + "/\(tag).key"
        let key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        try Self.openssl(["req", "-x509"] + key + ["-days", "2", "-subj", "/CN=vobiz-vault test CA \(tag)",
                                                   "-keyout", caKey, "-out", caFile])
        try Self.openssl(["req"] + key + ["-subj", "/CN=\(tag)", "-keyout", keyFile, "-out", request])
        try Data("subjectAltName=\(names.joined(separator: ","))\n".utf8).write(to: URL(fileURLWithPath: extensions))
        try Self.openssl(["x509", "-req", "-in", request, "-CA", caFile, "-CAkey", caKey, "-CAcreateserial", "-days", "2",
                          "-extfile", extensions, "-out", certificateFile])
    }

    private static func openssl(_ args: [String]) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["openssl"] + args
        let err = Pipe()
        p.standardOutput = FileHandle.nullDevice
        p.standardError = err
        try p.run()
        let message = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw PostgresCluster.Failure("openssl \(args.prefix(2).joined(separator: " ")): " + String(decoding: message, as: UTF8.self))
        }
    }
}
