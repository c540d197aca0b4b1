import ServiceLifecycle

/// SIGHUP: rereads the configuration (`ConfigReload`).
struct Reloader: Service, CustomStringConvertible {
    let hangups: SignalStream
    let reload: ConfigReload

    var description: String { "SIGHUP reloader" }

    func run() async {
        // A reload under way finishes; a SIGHUP once the daemon is stopping is not acted on.
        for await _ in hangups.stream.cancelOnGracefulShutdown() {
            _ = await reload.run()
        }
    }
}
