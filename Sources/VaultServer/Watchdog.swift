import ServiceLifecycle

/// systemd's watchdog pings, at half the interval the unit asked for.
struct Watchdog: Service, CustomStringConvertible {
    let interval: Duration

    var description: String { "watchdog" }

    func run() async {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                Systemd.notify("WATCHDOG=1")
                try? await Task.sleep(for: interval)
            }
        }
    }
}
