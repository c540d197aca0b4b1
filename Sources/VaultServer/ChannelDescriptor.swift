import NIOCore
#if canImport(Glibc)
import Glibc
#endif

/// The file descriptor under an accepted NIO channel. NIO keeps it private; reflection finds
/// it, and the socket cookie (`SO_COOKIE`, unique per socket) read both through NIO and
/// through the descriptor proves it is the right one. Without that proof the connection is
/// not served: a NIO whose layout changed fails closed, it does not read unattested bytes.
enum ChannelDescriptor {
    static let soCookie: Int32 = 57

    static func of(_ channel: any Channel) -> EventLoopFuture<Int32> {
        guard let provider = channel as? any SocketOptionProvider, let fd = reflected(channel) else {
            return channel.eventLoop.makeFailedFuture(PeerError.noDescriptor)
        }
        let cookie: EventLoopFuture<UInt64> = provider.unsafeGetSocketOption(level: SocketOptionLevel(SOL_SOCKET),
                                                                              name: SocketOptionName(soCookie))
        return cookie.flatMapThrowing { expected in
            var value: UInt64 = 0
            var length = socklen_t(MemoryLayout<UInt64>.size)
            guard getsockopt(fd, SOL_SOCKET, soCookie, &value, &length) == 0, value == expected else {
                throw PeerError.noDescriptor
            }
            return fd
        }
    }

    /// `SocketChannel` → `BaseSocketChannel.socket` → `BaseSocket.descriptor`.
    static func reflected(_ channel: any Channel) -> Int32? {
        guard let socket = child(named: "socket", of: Mirror(reflecting: channel)) else { return nil }
        return child(named: "descriptor", of: Mirror(reflecting: socket)) as? Int32
    }

    private static func child(named name: String, of mirror: Mirror) -> Any? {
        var m: Mirror? = mirror
        while let current = m {
            if let hit = current.children.first(where: { $0.label == name }) { return hit.value }
            m = current.superclassMirror
        }
        return nil
    }
}
