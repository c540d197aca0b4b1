import Foundation
import Testing

/// A virtualenv with the Vobiz Python SDK from PyPI, made once per test run.
enum PythonVenv {
    static let dir = NSTemporaryDirectory() + "vobiz-vault-test-venv"
    struct Venv { let python: String }

    static func withVobizSDK() throws -> Venv {
        let python = dir + "/bin/python"
        if !FileManager.default.fileExists(atPath: dir + "/.ready") {
            let r = try Process.run("/usr/bin/env", ["sh", "-c", """
                python3 -m venv \(dir) && \(dir)/bin/pip install -q --disable-pip-version-check vobiz-python requests \
                && touch \(dir)/.ready && echo ready
                """])
            #expect(r.contains("ready"), "pip install vobiz-python failed: \(r)")
        }
        return Venv(python: python)
    }
}
