import Testing
@testable import VaultServer

@Suite struct HeadLimiterTests {
    func end(_ bytes: [UInt8], carried: [UInt8] = []) -> Int? {
        bytes.withUnsafeBufferPointer { HeadLimiter.headEnd($0, carried: carried) }
    }

    @Test func findsTheEndOfTheHeadInOneRead() {
        let request = Array("POST /v1/headers HTTP/1.1\r\nHost: v\r\n\r\n{\"method\":\"GET\"}".utf8)
        #expect(end(request) == 38)
        #expect(end(Array("GET / HTTP/1.1\r\nHost: v\r\n".utf8)) == nil)
    }

    @Test func findsAnEndSplitAcrossReads() {
        let whole = Array("GET / HTTP/1.1\r\nHost: v\r\n\r\nBODY".utf8)
        let boundary = whole.firstIndex(of: UInt8(ascii: "B"))!
        for split in (boundary - 4)...boundary {
            let first = Array(whole[..<split]), second = Array(whole[split...])
            if let e = end(first) {
                #expect(e == boundary, "split \(split)")
            } else {
                #expect(end(second, carried: Array(first.suffix(3))) == boundary - split, "split \(split)")
            }
        }
    }

    @Test func carriedBytesAloneDoNotEndTheHead() {
        #expect(end(Array("x".utf8), carried: Array("\r\n\r".utf8)) == nil)
        #expect(end(Array("\n".utf8), carried: Array("\r\n\r".utf8)) == 1)
    }
}
