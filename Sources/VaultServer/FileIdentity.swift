/// What a file is, as opposed to what a path says: its device and inode.
struct FileIdentity: Equatable, Sendable {
    var device: UInt64
    var inode: UInt64
}
