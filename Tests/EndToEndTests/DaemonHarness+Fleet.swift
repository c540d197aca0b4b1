import Foundation

extension DaemonHarness {
    /// Waits (up to 20 s) until this host's record of the fleet's database (`fleet-watermark`)
    /// holds an audit chain of at least `length` rows; answers the length it holds.
    func recordedChainLength(reaching length: Int) -> Int {
        var seen = 0
        for _ in 0..<100 where seen < length {
            usleep(200_000)
            let record = FileManager.default.contents(atPath: s.state + "/fleet-watermark") ?? Data()
            seen = (try? JSONSerialization.jsonObject(with: record) as? [String: Any])?["audit_seq"] as? Int ?? 0
        }
        return seen
    }
}
