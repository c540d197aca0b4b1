import ArgumentParser
import Foundation
import VaultCore
import VaultService

extension Root {
    struct DoctorCheck: AsyncParsableCommand, AnswersAQuestion {
        static let configuration = CommandConfiguration(
            commandName: "doctor",
            abstract: "Check the installation: files, modes, owners, sockets, config and policy (exit 1 on any problem).",
            discussion: """
                Checks the state directory, the database files, the key file, the socket directory and \
                sockets, the configuration file and the policy (grants naming credentials the vault does not \
                hold, or users who cannot open the client socket). Each problem is printed with the command \
                that fixes it. Owners are checked against [sockets] daemon_user, else the user running doctor.
                """)

        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let console = Console.current
            let env = console.environment
            let path = global.config ?? env["VOBIZ_VAULT_CONFIG"] ?? VaultConfig.defaultPath
            var config = VaultConfig()
            var configError: String?
            do {
                config = try ConfigLoader.load(path: global.config ?? env["VOBIZ_VAULT_CONFIG"])
            } catch {
                configError = error.description
            }
            if let dir = global.stateDir ?? env["VOBIZ_VAULT_STATE_DIR"] { config.vault.stateDir = dir }
            if let key = global.keyFile ?? env["VOBIZ_VAULT_KEY_FILE"] { config.vault.keyFile = key }
            let problems = Doctor.run(config: config, configPath: path, configError: configError)
            if global.json {
                console.out(JSONOutput.render(["problems": problems.map { ["check": $0.check, "problem": $0.problem, "fix": $0.fix] }]))
            } else if problems.isEmpty {
                console.out("no problems found")
            } else {
                for p in problems { console.out("PROBLEM (\(p.check)): \(p.problem)\n  fix: \(p.fix)") }
                console.out("\(problems.count) problem\(problems.count == 1 ? "" : "s")")
            }
            if !problems.isEmpty { throw ExitCode(1) }
        }
    }
}
