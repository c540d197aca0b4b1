/// A host's name in a fleet: what its key slot, its audit rows and its change rows carry, and
/// what `fleet admit` and `fleet remove` are given. Letters, digits, `.`, `-` and `_`, at most 64.
public struct FleetHost: Sendable, Hashable, CustomStringConvertible {
    public let name: String

    public init(_ name: String) throws(CoreError) {
        guard (1...64).contains(name.utf8.count),
              name.utf8.allSatisfy({ b in
                  (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
                      || b == UInt8(ascii: ".") || b == UInt8(ascii: "-") || b == UInt8(ascii: "_")
              }) else {
            throw .invalidHostName(Echo.short(name))
        }
        self.name = name
    }

    public var description: String { name }
}
