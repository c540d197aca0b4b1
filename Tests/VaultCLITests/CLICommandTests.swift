import Foundation
import Testing
@testable import VaultCLI

@Suite struct CLICommandTests {
    @Test func initCreatesPrivateStateAndKey() async throws {
        let h = try CLIHarness()
        let r = await h.run(["init", "--json"] + h.keyed)
        #expect(r.code == 0, "\(r.err)")
        let j = try h.json(r)
        #expect((j["vault_id"] as? String)?.count == 32)
        var st = stat()
        stat(h.keyFile, &st)
        #expect(st.st_mode & 0o777 == 0o400)
        stat(h.stateDir, &st)
        #expect(st.st_mode & 0o777 == 0o700)
        stat(h.stateDir + "/vault.db", &st)
        #expect(st.st_mode & 0o077 == 0)
        let again = await h.run(["init"] + h.keyed)
        #expect(again.code == 1 && again.err.contains("already holds a vault"))
        let noKey = await h.run(["init", "--state-dir", h.root + "/other"])
        #expect(noKey.code == 64 && noKey.err.contains("choose a master key"))
    }

    @Test func importFromJSONCSVFileAndEnvironment() async throws {
        let h = try CLIHarness()
        let r = try await h.populated()
        #expect(r.code == 0, "\(r.err)")
        #expect(r.out.contains("3 imported, 0 unchanged"))
        let csv = await h.run(["import", "--json"] + h.keyed, stdin: "auth_id,auth_token,label\nMA_CSV1,\(h.token("c1")),From CSV\n")
        #expect(try h.json(csv)["imported"].map { ($0 as! [[String: Any]]).count } == 1)
        let file = h.writeSecretFile("in.json", #"{"auth_id":"MA_FILE","auth_token":"\#(h.token("f"))"}"#)
        #expect(await h.run(["import", "--file", file] + h.keyed).code == 0)
        let loose = h.writeSecretFile("loose.json", "{}", mode: 0o644)
        let looseRun = await h.run(["import", "--file", loose] + h.keyed)
        #expect(looseRun.code == 1 && looseRun.err.contains("readable by no one else"))
        let env = await h.run(["import", "--from-env", "--label", "env"] + h.keyed,
                              env: ["VOBIZ_AUTH_ID": "MA_ENV", "VOBIZ_AUTH_TOKEN": h.token("e")])
        #expect(env.code == 0, "\(env.err)")
        let shown = await h.run(["show", "MA_ENV", "--json"] + h.base)
        #expect(try h.json(shown)["label"] as? String == "env")
        #expect(try h.json(shown)["parent"] as? String == "PA_MAIN")
        let missing = await h.run(["import", "--from-env"] + h.keyed, env: ["VOBIZ_AUTH_ID": "MA_X"])
        #expect(missing.code == 1 && missing.err.contains("VOBIZ_AUTH_TOKEN"))
        let tty = await h.run(["import"] + h.keyed)
        #expect(tty.code == 1 && tty.err.contains("pipe JSON or CSV"))
        #expect(try h.leaks().isEmpty)
    }

    @Test func importRefusalsChangeNothing() async throws {
        let h = try CLIHarness()
        _ = try await h.populated()
        func snapshot() async -> String {
            await h.run(["list"] + h.base).out.split(separator: "\n").map { $0.split(separator: " ").prefix(5).joined(separator: " ") }.joined(separator: "\n")
        }
        let before = await snapshot()
        for (input, message) in [
            (#"[{"auth_id":"MA_NEW","auth_token":"\#(h.token("n"))"},{"auth_id":"MA_ACME","auth_token":"\#(h.token("other"))"}]"#,
             "use `vobiz-vault rotate MA_ACME`"),
            (#"{"auth_id":"PA_OTHER","auth_token":"\#(h.token("x"))"}"#, "already holds partner credential PA_MAIN"),
            (#"[{"auth_id":"MA_NEW","auth_token":"\#(h.token("n"))"},{"auth_id":"MA_BAD"}]"#, "record 2: missing auth_token"),
            ("{\"auth_id\": ", "invalid JSON"),
        ] {
            let r = await h.run(["import"] + h.keyed, stdin: input)
            #expect(r.code == 1, "\(input)")
            #expect(r.err.contains(message), "\(r.err)")
        }
        #expect(await snapshot() == before)
        #expect(before.split(separator: "\n").count == 4)
        let same = await h.run(["import"] + h.keyed, stdin: #"{"auth_id":"MA_ACME","auth_token":"\#(h.token("a"))"}"#)
        #expect(same.code == 0 && same.out.contains("0 imported, 1 unchanged"))
        #expect(try h.leaks().isEmpty)
    }

    @Test func listAndShowPrintMetadataOnly() async throws {
        let h = try CLIHarness()
        _ = try await h.populated()
        let list = await h.run(["list"] + h.base)
        #expect(list.code == 0)
        #expect(list.out.contains("PA_MAIN") && list.out.contains("MA_ACME") && list.out.contains("Acme"))
        let lj = try h.json(await h.run(["list", "--json"] + h.base))
        let creds = lj["credentials"] as! [[String: Any]]
        #expect(creds.map { $0["auth_id"] as! String } == ["PA_MAIN", "MA_ACME", "MA_BETA"])
        #expect(creds.allSatisfy { ($0["fingerprint"] as? String)?.count == 16 })
        let show = await h.run(["show", "partner"] + h.base)
        #expect(show.code == 0 && show.out.contains("auth_id:   PA_MAIN"))
        let unknown = await h.run(["show", "MA_NOPE"] + h.base)
        #expect(unknown.code == 1 && unknown.err.contains("no credential MA_NOPE"))
        let invalid = await h.run(["show", "not-an-id"] + h.base)
        #expect(invalid.code == 1 && invalid.err.contains("invalid auth_id"))
        #expect(try h.leaks().isEmpty)
    }

    @Test func rotateRollbackRevokeAndRemind() async throws {
        let h = try CLIHarness()
        _ = try await h.populated()
        let rot = await h.run(["rotate", "MA_ACME", "--reason", "scheduled", "--json"] + h.keyed, stdin: h.token("a2") + "\n")
        #expect(rot.code == 0, "\(rot.err)")
        let rj = try h.json(rot)
        #expect(rj["version"] as? Int == 2 && rj["previous_version"] as? Int == 1)
        let show = try h.json(await h.run(["show", "MA_ACME", "--json"] + h.base))
        let versions = show["versions"] as! [[String: Any]]
        #expect(versions.map { $0["status"] as! String } == ["active", "previous"])
        #expect(versions[0]["reason"] as? String == "scheduled" && versions[0]["actor_uid"] as? Int == Int(getuid()))

        let same = await h.run(["rotate", "MA_ACME"] + h.keyed, stdin: h.token("a2"))
        #expect(same.code == 1 && same.err.contains("already active"))
        let badGrace = await h.run(["rotate", "MA_ACME", "--grace", "soon"] + h.keyed, stdin: h.token("a3"))
        #expect(badGrace.code == 1 && badGrace.err.contains("invalid duration"))
        let empty = await h.run(["rotate", "MA_ACME"] + h.keyed, stdin: "\n")
        #expect(empty.code == 1 && empty.err.contains("it is empty"))
        let tokenFile = h.writeSecretFile("new.token", h.token("b2") + "\n")
        let viaFile = await h.run(["rotate", "MA_BETA", "--grace", "0", "--token-file", tokenFile] + h.keyed)
        #expect(viaFile.code == 0 && viaFile.out.contains("the old version was destroyed"), "\(viaFile.err)")

        let back = await h.run(["rollback", "MA_ACME"] + h.keyed)
        #expect(back.code == 0 && back.out.contains("version 1 active"))
        let noBack = await h.run(["rollback", "MA_BETA"] + h.keyed)
        #expect(noBack.code == 1 && noBack.err.contains("no previous version"))

        let quiet = await h.run(["remind"] + h.base)
        #expect(quiet.code == 0 && quiet.out.isEmpty && quiet.err.isEmpty)
        #expect(await h.run(["revoke", "MA_BETA", "--compromised", "--reason", "leaked"] + h.keyed).code == 0)
        let loud = await h.run(["remind"] + h.base)
        #expect(loud.code == 2)
        #expect(loud.out.hasPrefix("CRITICAL MA_BETA -: credential marked compromised on "))
        let lj = try h.json(await h.run(["remind", "--json"] + h.base))
        #expect(lj["exit_code"] as? Int == 2)
        #expect(try h.leaks().isEmpty)
    }

    @Test func dueAndRemindWindows() async throws {
        let h = try CLIHarness()
        _ = try await h.populated()
        #expect(await h.run(["due"] + h.base).out == "nothing due")
        let due = try h.json(await h.run(["due", "--within", "100d", "--json"] + h.base))
        #expect((due["due"] as! [[String: Any]]).count == 3)
        let text = await h.run(["due", "--within", "100d"] + h.base)
        #expect(text.out.contains("in 90 days"))
        #expect(await h.run(["edit", "MA_ACME", "--max-age", "30d", "--warn", "40d"] + h.keyed).code == 0)
        let warn = await h.run(["remind"] + h.base)
        #expect(warn.code == 1 && warn.out == "WARNING MA_ACME Acme: rotation due in 30 days (on \(warn.out.suffix(11).prefix(10)))")
        #expect(await h.run(["edit", "MA_ACME", "--max-age", "1s"] + h.keyed).code == 0)
        try await Task.sleep(for: .milliseconds(1100))
        let over = await h.run(["remind"] + h.base)
        #expect(over.code == 2 && over.out.contains("rotation overdue by 0 days"))
        let nothing = await h.run(["edit", "MA_ACME"] + h.keyed)
        #expect(nothing.code == 64)
        let badConfig = h.writeSecretFile("bad.toml", "[rotation]\nmax_ag = \"1d\"\n")
        let broken = await h.run(["remind", "--config", badConfig] + h.base)
        #expect(broken.code == 3 && broken.err.contains("unknown key \"rotation.max_ag\""))
    }

    @Test func auditTailVerifyExport() async throws {
        let h = try CLIHarness()
        _ = try await h.populated()
        _ = await h.run(["rotate", "partner"] + h.keyed, stdin: h.token("p2"))
        let tail = await h.run(["audit", "tail", "-n", "2"] + h.base)
        #expect(tail.code == 0 && tail.out.split(separator: "\n").count == 2 && tail.out.contains("rotate"))
        let tj = try h.json(await h.run(["audit", "tail", "--json"] + h.base))
        #expect((tj["events"] as! [[String: Any]]).map { $0["op"] as! String } == ["init", "import", "import", "import", "rotate"])
        let verify = await h.run(["audit", "verify"] + h.keyed)
        #expect(verify.code == 0 && verify.out == "audit chain intact: 5 rows")
        let needsKey = await h.run(["audit", "verify"] + h.base)
        #expect(needsKey.code == 2 && needsKey.err.contains("needs the master key"))
        let export = await h.run(["audit", "export"] + h.base)
        #expect(export.out.split(separator: "\n").count == 5 && export.out.contains("\"mac\""))
        #expect(try h.leaks().isEmpty)
    }

    @Test func rekeyToANewKeyFileAndDataKey() async throws {
        let h = try CLIHarness()
        _ = try await h.populated()
        let newKey = h.root + "/master2.key"
        let r = await h.run(["rekey", "--new-key-file", newKey, "--data-key"] + h.keyed)
        #expect(r.code == 0, "\(r.err)")
        let old = await h.run(["list"] + h.keyed)
        #expect(old.code == 1 && old.err.contains("master key does not open this vault"))
        let ok = await h.run(["audit", "verify", "--key-file", newKey] + h.base)
        #expect(ok.code == 0, "\(ok.err)")
        let nothing = await h.run(["rekey", "--key-file", newKey] + h.base)
        #expect(nothing.code == 64)
        #expect(try h.leaks().isEmpty)
    }

    @Test func passphraseVaultPromptsTwiceAndChecksMatches() async throws {
        let h = try CLIHarness()
        let mismatch = await h.run(["init", "--passphrase"] + h.base, prompts: ["correct horse 1", "correct horse 2"])
        #expect(mismatch.code == 1 && mismatch.err.contains("do not match"))
        #expect(!FileManager.default.fileExists(atPath: h.stateDir + "/vault.db"))
        let ok = await h.run(["init", "--passphrase"] + h.base, prompts: ["correct horse 1", "correct horse 1"])
        #expect(ok.code == 0, "\(ok.err)")
        #expect(ok.out.contains("master key: passphrase"))
        let imp = await h.run(["import"] + h.base, stdin: #"{"auth_id":"MA_P","auth_token":"\#(h.token("x"))"}"#, prompts: ["correct horse 1"])
        #expect(imp.code == 0, "\(imp.err)")
        let wrong = await h.run(["rotate", "MA_P"] + h.base, stdin: h.token("y"), prompts: ["correct horse 9"])
        #expect(wrong.code == 1 && wrong.err == "vobiz-vault: error: master key does not open this vault")
        let file = h.writeSecretFile("pass", "correct horse 1\n")
        #expect(await h.run(["audit", "verify", "--passphrase-file", file] + h.base).code == 0)
        // Read-only commands do not prompt.
        #expect(await h.run(["list"] + h.base).code == 0)
        let keyFileOnPassphraseVault = await h.run(["rotate", "MA_P", "--key-file", h.writeSecretFile("k", String(repeating: "a", count: 64))] + h.base,
                                                   stdin: h.token("z"))
        #expect(keyFileOnPassphraseVault.code == 1 && keyFileOnPassphraseVault.err.contains("passphrase"))
        #expect(try h.leaks().isEmpty)
    }

    @Test func everyCommandRefusesAWrongKeyAndChangesNoByte() async throws {
        let h = try CLIHarness()
        _ = try await h.populated()
        _ = await h.run(["rotate", "MA_ACME"] + h.keyed, stdin: h.token("a2"))
        let wrong = h.writeSecretFile("wrong.key", String(repeating: "ab", count: 32) + "\n")
        let before = try h.digests()
        let w = h.base + ["--key-file", wrong]
        let commands: [([String], String?)] = [
            (["status"], nil), (["list"], nil), (["list", "--json"], nil), (["show", "MA_ACME"], nil), (["due"], nil),
            (["audit", "tail"], nil), (["audit", "verify"], nil), (["audit", "export"], nil),
            (["import"], #"{"auth_id":"MA_NEW","auth_token":"\#(h.token("n"))"}"#), (["rotate", "MA_ACME"], h.token("a3")),
            (["rollback", "MA_ACME"], nil), (["revoke", "MA_ACME"], nil), (["edit", "MA_ACME", "--label", "x"], nil),
            (["rekey", "--data-key"], nil), (["remind"], nil),
        ]
        for (args, stdin) in commands {
            let r = await h.run(args + w, stdin: stdin)
            #expect(r.err == "vobiz-vault: error: master key does not open this vault", "\(args): \(r.err)")
            #expect(r.code == (args == ["remind"] ? 3 : args == ["audit", "verify"] ? 2 : 1), "\(args)")
            #expect(r.out.isEmpty, "\(args)")
        }
        #expect(try h.digests() == before)
        #expect(try h.leaks().isEmpty)
    }

    @Test func statusAndTheSystemdCredentialsDirectory() async throws {
        let h = try CLIHarness()
        let creds = h.root + "/credentials"
        try FileManager.default.createDirectory(atPath: creds, withIntermediateDirectories: true)
        _ = h.writeSecretFile("credentials/master.key", String(repeating: "5a", count: 32), mode: 0o400)
        let env = ["CREDENTIALS_DIRECTORY": creds]
        let i = await h.run(["init"] + h.base, env: env)
        #expect(i.code == 0, "\(i.err)")
        #expect(await h.run(["import"] + h.base, stdin: "MA_SYS,\(h.token("s"))", env: env).code == 0)
        // Without the credential the key is missing, so a change is refused…
        let noKey = await h.run(["rotate", "MA_SYS"] + h.base, stdin: h.token("t"))
        #expect(noKey.code == 1 && noKey.err.contains("needs the master key"))
        // …but read-only commands work, and say the key was not checked.
        let status = await h.run(["status"] + h.base)
        #expect(status.code == 0 && status.out.contains("credentials:  1 (1 active)") && status.out.contains("key checked:  no"))
        let sj = try h.json(await h.run(["status", "--json"] + h.base, env: env))
        #expect(sj["unlocked"] as? Bool == true && sj["audit_rows"] as? Int == 2)
        #expect((sj["master_key"] as? [String: Any])?["kind"] as? String == "key")
        #expect(try h.leaks().isEmpty)
    }

    @Test func helpAndUnknownCommands() async throws {
        let h = try CLIHarness()
        let help = await h.run(["--help"])
        #expect(help.code == 0 && help.out.contains("rotate"))
        let bad = await h.run(["frobnicate"])
        #expect(bad.code == 64)
        let tokenFlag = await h.run(["rotate", "MA_X", "--token", "secret"])
        #expect(tokenFlag.code == 64)
    }
}

@Suite struct CaptureCommandTests {
    @Test func offlineCaptureStoresTheCustomerAndPrintsTheAnswerVaulted() async throws {
        let h = try CLIHarness()
        #expect(try await h.populated().code == 0)
        let answer = #"{"api_id":"a1","auth_id":"MA_CAPT1","auth_token":"\#(h.token("capt"))","name":"Captured Co"}"#
        let r = await h.run(["capture"] + h.keyed, stdin: answer)
        #expect(r.code == 0, "\(r.err)")
        #expect(r.out.hasPrefix(#"{"api_id":"a1","auth_id":"MA_CAPT1","auth_token":"vaulted:"#) && r.out.contains(#""name":"Captured Co"}"#))
        #expect(r.err.contains("captured MA_CAPT1 (version 1"))
        let show = try h.json(await h.run(["show", "MA_CAPT1", "--json"] + h.keyed))
        #expect(show["label"] as? String == "Captured Co")
        #expect(((show["versions"] as? [[String: Any]])?.first)?["source"] as? String == "capture")
        #expect(r.out.contains("vaulted:" + (show["fingerprint"] as? String ?? "?")))
        // The same answer again is a no-op; a different token for it is refused and changes nothing.
        #expect(await h.run(["capture"] + h.keyed, stdin: answer).code == 0)
        let clash = await h.run(["capture"] + h.keyed, stdin: answer.replacingOccurrences(of: h.token("capt"), with: h.token("other")))
        #expect(clash.code == 1 && clash.out.isEmpty && clash.err.contains("rotate"), "\(clash.err)")
        for bad in [#"{"auth_id":"MA_X"}"#, "[]", "not json", #"[{"auth_id":"MA_A1","auth_token":"t1"},{"auth_id":"MA_A2","auth_token":"t2"}]"#] {
            let b = await h.run(["capture"] + h.keyed, stdin: bad)
            #expect(b.code == 1 && b.out.isEmpty, "\(bad): \(b.err)")
        }
        #expect(try h.leaks().isEmpty)
    }
}
