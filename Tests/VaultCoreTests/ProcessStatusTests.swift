import Testing
import VaultCore

/// Reading `/proc/<pid>/status` for `exec --proxy`: which process may be named as the program.
@Suite struct ProcessStatusTests {
    static let sample = """
        Name:\tpython3
        Umask:\t0022
        State:\tS (sleeping)
        Tgid:\t4242
        Ngid:\t0
        Pid:\t4242
        PPid:\t4100
        TracerPid:\t0
        Uid:\t1000\t1000\t1000\t1000
        Gid:\t1000\t1000\t1000\t1000
        Groups:\t27 1000
        """

    @Test func readsTheParentAndTheFourUids() throws {
        let s = try #require(ProcessStatus(statusFile: Self.sample))
        #expect(s == ProcessStatus(parent: 4100, uids: [1000, 1000, 1000, 1000]))
        #expect(s.problemAsChild(ofPID: 4100, uid: 1000) == nil)
    }

    @Test func anotherParentOrAnyOtherUidIsNotTheCallersChild() throws {
        let s = try #require(ProcessStatus(statusFile: Self.sample))
        #expect(s.problemAsChild(ofPID: 4101, uid: 1000)?.contains("not a child of the caller") == true)
        #expect(s.problemAsChild(ofPID: 4100, uid: 0)?.contains("uid 0") == true)
        // A set-uid program: the effective uid differs while the real one is the caller's.
        let setuid = ProcessStatus(parent: 4100, uids: [1000, 0, 0, 0])
        #expect(setuid.problemAsChild(ofPID: 4100, uid: 1000)?.contains("1000 0 0 0") == true)
    }

    @Test func aMalformedFileReadsAsNothing() {
        #expect(ProcessStatus(statusFile: "") == nil)
        #expect(ProcessStatus(statusFile: "PPid:\t1\n") == nil)
        #expect(ProcessStatus(statusFile: "PPid:\tx\nUid:\t1\t1\t1\t1\n") == nil)
        #expect(ProcessStatus(statusFile: "PPid:\t1\nUid:\t1\t1\t1\n") == nil)
        #expect(ProcessStatus(statusFile: "PPid:\t1\nUid:\t1\t1\t1\t-1\n") == nil)
    }
}
