import Testing
@testable import VaultServer

/// The unit of a process is the one systemd assigned: the first unit below the slices.
struct CgroupUnitTests {
    @Test(arguments: [
        ("0::/system.slice/billing.service\n", "billing.service"),
        ("0::/system.slice/other.service/billing.service\n", "other.service"),
        ("0::/system.slice/other.service/payload/system.slice/billing.service\n", "other.service"),
        ("0::/machine.slice/machine-x.scope/system.slice/billing.service\n", "machine-x.scope"),
        ("0::/system.slice/docker-abc.scope\n", "docker-abc.scope"),
        ("0::/init.scope\n", "init.scope"),
        ("0::/\n", nil),
        ("0::/process_api/billing.service\n", nil),
        ("0::/user.slice/user-1000.slice/session-3.scope\n", nil),
        ("0::/user.slice/user-1000.slice/user@1000.service/app.slice/billing.service\n", nil),
        ("0::/system.slice/user@1000.service/billing.service\n", nil),
        // cgroup v1 and hybrid: the name=systemd hierarchy, whatever the controllers say.
        ("4:memory:/billing.service\n1:name=systemd:/system.slice/a.service/billing.service\n0::/\n", "a.service"),
        ("1:name=systemd:/system.slice/billing.service\n0::/system.slice/billing.service\n", "billing.service"),
        // Two hierarchies that disagree: neither counts.
        ("1:name=systemd:/system.slice/a.service\n0::/system.slice/b.service\n", nil),
    ] as [(String, String?)])
    func unitOfACgroupFile(file: String, unit: String?) {
        #expect(ProcFS.unit(cgroupFile: file) == unit)
    }
}
