import Foundation
import Synchronization
import Testing

/// A virtualenv with the Vobiz Python SDK, requests, httpx and wheel from PyPI, made once per machine
/// (and again when the list changes), and this repository's client package (`clients/python`)
/// installed into it with pip once per test run, so the tests use what an application would.
enum PythonVenv {
    static let dir = NSTemporaryDirectory() + "vobiz-vault-test-venv"
    struct Venv { let python: String }

    static func withVobizSDK() throws -> Venv {
        let python = dir + "/bin/python"
        if !FileManager.default.fileExists(atPath: dir + "/.ready-4") {
            let r = try Process.run("/usr/bin/env", ["sh", "-c", """
                python3 -m venv \(dir) && \(dir)/bin/pip install -q --disable-pip-version-check vobiz-python requests httpx wheel \
                && touch \(dir)/.ready-4 && echo ready
                """])
            #expect(r.contains("ready"), "pip install vobiz-python requests httpx wheel failed: \(r)")
        }
        try installed.withLock { done in
            guard !done else { return }
            // From a copy: building writes build/ and *.egg-info beside the sources.
            let copy = NSTemporaryDirectory() + "vobiz-vault-client-src-" + UUID().uuidString
            defer { try? FileManager.default.removeItem(atPath: copy) }
            let r = try Process.run("/usr/bin/env", ["sh", "-c", """
                cp -r \(clientPackage) \(copy) && \(dir)/bin/pip install -q --disable-pip-version-check --no-deps --no-build-isolation \
                --force-reinstall \(copy) && echo installed
                """])
            #expect(r.contains("installed"), "pip install clients/python failed: \(r)")
            done = true
        }
        return Venv(python: python)
    }

    static let clientPackage = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("clients/python").path
    private static let installed = Mutex(false)
}
