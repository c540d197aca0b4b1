import Foundation
import Testing

/// The shipped units pass `systemd-analyze verify` and score ≤ 1.5 on `systemd-analyze security`.
@Suite struct SystemdUnitTests {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static let units = ["vobiz-vault.service", "vobiz-vault.socket", "vobiz-vault-admin.socket", "vobiz-vault-remind.service",
                        "vobiz-vault-remind.timer"]

    /// The units as `make install` renders them, pointing at the binary under test.
    static func rendered() throws -> String {
        let dir = NSTemporaryDirectory() + "vv-units-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let bindir = URL(fileURLWithPath: Binary.path).deletingLastPathComponent().path
        for u in units {
            let text = try String(contentsOfFile: repo + "/systemd/" + u, encoding: .utf8)
                .replacingOccurrences(of: "@BINDIR@", with: bindir)
                .replacingOccurrences(of: "@DOCDIR@", with: "/usr/local/share/doc/vobiz-vault")
            try text.write(toFile: dir + "/" + u, atomically: true, encoding: .utf8)
        }
        return dir
    }

    static var analyze: String? {
        ["/usr/bin/systemd-analyze", "/bin/systemd-analyze"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    @Test func unitsVerifyAndScoreWell() throws {
        guard let analyze = Self.analyze else {
            print("SKIPPED: systemd-analyze is not installed here (make deps installs the systemd package)")
            return
        }
        let dir = try Self.rendered()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let verify = try Process.run("/usr/bin/env", ["sh", "-c", "cd \(dir) && \(analyze) verify --man=no \(Self.units.joined(separator: " ")) 2>&1; echo EXIT=$?"])
        #expect(verify.trimmingCharacters(in: .whitespacesAndNewlines) == "EXIT=0", "systemd-analyze verify: \(verify)")
        for service in ["vobiz-vault.service", "vobiz-vault-remind.service"] {
            let out = try Process.run("/usr/bin/env", ["sh", "-c", "cd \(dir) && \(analyze) security --offline=true \(service) 2>&1"])
            let line = out.split(separator: "\n").first { $0.contains("Overall exposure level for \(service):") } ?? ""
            let score = line.split(separator: ":").last?.split(separator: " ").first.flatMap { Double($0) }
            #expect(score != nil && score! <= 1.5, "\(service): \(line)")
        }
    }

    @Test func theServiceKeepsTheHardeningTheIssueAsksFor() throws {
        let unit = try String(contentsOfFile: Self.repo + "/systemd/vobiz-vault.service", encoding: .utf8)
        for line in ["Type=notify", "User=vobiz-vault", "StateDirectoryMode=0700",
                     "LoadCredentialEncrypted=master.key:", "WatchdogSec=", "Restart=on-failure", "NoNewPrivileges=yes",
                     "CapabilityBoundingSet=\n", "ProtectSystem=strict", "ProtectHome=yes", "PrivateTmp=yes", "PrivateDevices=yes",
                     "ProtectKernelTunables=yes", "ProtectKernelModules=yes", "ProtectKernelLogs=yes",
                     "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6", "RestrictNamespaces=yes", "MemoryDenyWriteExecute=yes",
                     "LockPersonality=yes", "SystemCallFilter=@system-service", "UMask=0077", "LimitCORE=0"] {
            #expect(unit.contains(line), "missing \(line)")
        }
        // The socket units own /run/vobiz-vault; a RuntimeDirectory= would chown their sockets away.
        #expect(!unit.contains("\nRuntimeDirectory"), "RuntimeDirectory= takes the sockets from their groups")
        let client = try String(contentsOfFile: Self.repo + "/systemd/vobiz-vault.socket", encoding: .utf8)
        #expect(client.contains("FileDescriptorName=client") && client.contains("SocketMode=0660") && client.contains("SocketGroup="))
        let admin = try String(contentsOfFile: Self.repo + "/systemd/vobiz-vault-admin.socket", encoding: .utf8)
        #expect(admin.contains("FileDescriptorName=admin"))
        let timer = try String(contentsOfFile: Self.repo + "/systemd/vobiz-vault-remind.timer", encoding: .utf8)
        #expect(timer.contains("OnCalendar=daily") && timer.contains("Persistent=true") && timer.contains("RandomizedDelaySec="))
    }
}
