import Foundation
import Testing

/// Unix stream sockets carry out-of-band bytes (Linux 5.15 on). One sent by an unprivileged
/// client is read as part of its stream; it must not take the daemon down.
@Suite(.serialized) struct OutOfBandTests {
    static let client = #"""
        import socket, sys, time
        s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); time.sleep(0.2)
        try:
            s.send(b"X", socket.MSG_OOB); time.sleep(0.3)
            s.sendall(b"GET /v1/health HTTP/1.1\r\nHost: v\r\n\r\n"); s.settimeout(5)
            print(s.recv(4096).split(b"\r\n")[0].decode() or "closed")
        except OSError as e:
            print("closed", type(e).__name__)
        """#

    @Test func anOutOfBandByteSpoilsItsConnectionOnly() throws {
        let d = try DaemonHarness()
        try d.start()
        defer { d.stop() }
        let out = try Process.run("/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/python3",
                                                       "-c", Self.client, d.client])
        #expect(out.hasPrefix("HTTP/1.1 4") || out.hasPrefix("closed"), "\(out)")
        #expect(d.process?.isRunning == true, "\(d.log())")
        #expect(try d.curl(["http://v/v1/health"]).contains("\"ok\""))
    }
}
