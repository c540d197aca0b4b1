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

/// Which grant opens an `exec --proxy` session: one that matches the caller and allows `proxy`
/// with the credential, whatever its methods and paths (each call is decided on its own).
@Suite struct SessionGrantTests {
    static func caller(_ uid: UInt32) -> Caller {
        Caller(uid: uid, gid: uid, pid: 42, user: "app", groups: [], exe: "/usr/bin/vobiz-vault", unit: nil, startTime: 1)
    }

    @Test func theFirstGrantOfTheCallerWithProxyForTheCredential() throws {
        let headersOnly = try Grant(name: "headers", uids: [1000], credentials: [CredentialPattern("MA_*")], operations: [.headers])
        let narrow = try Grant(name: "narrow", uids: [1000], credentials: [CredentialPattern("MA_A")], operations: [.proxy],
                               methods: ["GET"], paths: [PathGlob("/api/v1/Account/MA_A/Call/")])
        let other = try Grant(name: "other", uids: [1001], credentials: [CredentialPattern("MA_*")], operations: [.proxy])
        let policy = Policy(grants: [headersOnly, narrow, other])
        #expect(policy.sessionGrant(Self.caller(1000), .proxy, credential: try AuthID("MA_A"))?.name == "narrow")
        #expect(policy.sessionGrant(Self.caller(1000), .proxy, credential: try AuthID("MA_B")) == nil)
        #expect(policy.sessionGrant(Self.caller(1001), .proxy, credential: try AuthID("MA_B"))?.name == "other")
        #expect(policy.sessionGrant(Self.caller(1002), .proxy, credential: try AuthID("MA_A")) == nil)
    }
}
