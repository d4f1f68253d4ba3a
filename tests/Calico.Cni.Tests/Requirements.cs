using Calico.TestKit;

namespace Calico.Cni.Tests;

/// <summary>Root and podman are prerequisites: missing, a test returns early locally but fails under CI=true.</summary>
internal static class Requirements
{
    private static bool InCi => Environment.GetEnvironmentVariable("CI") == "true";

    public static bool Root() => Check(Environment.UserName == "root", "these tests need root (network namespaces)");

    public static bool Podman() =>
        Root()
        && Check(Prerequisites.Find("podman") is not null, "podman not found: install Debian podman runc busybox-static (scripts/install-deps.sh)")
        && Check(Prerequisites.Find("runc") is not null, "runc not found: install Debian runc")
        && Check(File.Exists("/bin/busybox"), "/bin/busybox not found: install Debian busybox-static");

    private static bool Check(bool ok, string why) => ok || (InCi ? throw new InvalidOperationException(why + " (CI=true: a missing prerequisite fails)") : false);
}
