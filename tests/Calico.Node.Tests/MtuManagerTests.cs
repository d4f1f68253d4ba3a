using Calico.Api;
using Calico.Node.Routing;
using Calico.TestKit;
using Microsoft.Extensions.Logging;

namespace Calico.Node.Tests;

/// <summary>
/// The mtu file in calico-node's state directory: written atomically, only when its value changes, and a change
/// says what existing workloads have; requireMTUFile turns a failed write into an error.
/// </summary>
[Trait("Tier", "Unit")]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class MtuManagerTests : IDisposable
{
    private readonly TempDirectory _dir = new("mtu-manager");
    private readonly MtuLogRecorder _log = new();
    private List<HostLink> _links = [new("eth0", 1500, true), new("cali1", 1450, true), new("cali2", 1450, true), new("cali3", 1500, true)];

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Update_VxlanPool_WritesParentMinus50_NumberOnly_0644()
    {
        MtuManager mtu = Manager();

        Assert.True(mtu.Update([Pool("Always")]));

        Assert.Equal("1450", File.ReadAllText(_dir.File("mtu")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead, File.GetUnixFileMode(_dir.File("mtu")));
        Assert.False(File.Exists(_dir.File("mtu.tmp")));
        Assert.Equal((1450, 1430, 1480), (mtu.Current!.Vxlan, mtu.Current.VxlanV6, mtu.Current.Ipip));
        Assert.Contains(_log.Lines, l => l.Message == $"Wrote workload MTU 1450 to {_dir.File("mtu")}");
    }

    [Fact]
    public void Update_Unchanged_FileNotRewritten()
    {
        MtuManager mtu = Manager();
        mtu.Update([Pool("Always")]);
        var written = new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(_dir.File("mtu"), written);

        Assert.False(mtu.Update([Pool("CrossSubnet")]));

        Assert.Equal(written, File.GetLastWriteTimeUtc(_dir.File("mtu")));
    }

    [Fact]
    public void Update_EncapsulationRemoved_FileFollows_WarningSaysWhatExistingWorkloadsHave()
    {
        MtuManager mtu = Manager();
        mtu.Update([Pool("Always")]);

        Assert.True(mtu.Update([Pool("Never")]));

        Assert.Equal("1500", File.ReadAllText(_dir.File("mtu")));
        var warning = Assert.Single(_log.Lines, l => l.Level == LogLevel.Warning);
        Assert.Equal(
            $"Workload MTU changed from 1450 to 1500 ({_dir.File("mtu")}): new workloads get the new value; existing workloads keep the MTU they were created with until they are recreated (workload interfaces now: 2 at 1450, 1 at 1500)",
            warning.Message);
    }

    [Fact]
    public void Update_FileFromAnEarlierRun_ChangeIsReportedAgainstIt()
    {
        File.WriteAllText(_dir.File("mtu"), "1500");

        Manager().Update([Pool("Always")]);

        Assert.Equal("1450", File.ReadAllText(_dir.File("mtu")));
        Assert.Contains(_log.Lines, l => l.Level == LogLevel.Warning && l.Message.StartsWith("Workload MTU changed from 1500 to 1450", StringComparison.Ordinal));
    }

    [Fact]
    public void Update_InterfaceMtuChanged_PlanChanges()
    {
        MtuManager mtu = Manager();
        mtu.Update([Pool("Always")]);
        _links = [new("eth0", 9000, true)];

        Assert.True(mtu.Update([Pool("Always")]));

        Assert.Equal((8950, "8950"), (mtu.Current!.Vxlan, File.ReadAllText(_dir.File("mtu"))));
    }

    [Fact]
    public void SetSettings_Override_TakesEffectOnNextUpdate()
    {
        MtuManager mtu = Manager();
        mtu.Update([Pool("Always")]);

        mtu.SetSettings(MtuSettings.Default with { VxlanMtu = 1400 });

        Assert.True(mtu.Update([Pool("Always")]));
        Assert.Equal("1400", File.ReadAllText(_dir.File("mtu")));
    }

    [Fact]
    public void Update_NoInterfaceMatches_WarnsAndUsesUpstreamsFallback()
    {
        _links = [new("lo", 65536, true)];

        Manager().Update([Pool("Always")]);

        Assert.Equal("1410", File.ReadAllText(_dir.File("mtu")));
        Assert.Contains(_log.Lines, l => l.Level == LogLevel.Warning && l.Message.Contains("mtuIfacePattern", StringComparison.Ordinal));
    }

    [Fact]
    public void Update_StateDirMissing_RequireMtuFileFalse_LoggedAndGoesOn()
    {
        var mtu = new MtuManager(_dir.File("missing"), () => _links, _log);

        mtu.Update([Pool("Always")]);

        Assert.Equal(1450, mtu.Current!.Pod);
        Assert.Contains(_log.Lines, l => l.Level == LogLevel.Error && l.Message.StartsWith("Could not write the MTU file " + _dir.File("missing/mtu"), StringComparison.Ordinal));
    }

    [Fact]
    public void Update_StateDirMissing_RequireMtuFileTrue_Throws()
    {
        var mtu = new MtuManager(_dir.File("missing"), () => _links, _log);
        mtu.SetSettings(MtuSettings.Default with { RequireMtuFile = true });

        var e = Assert.Throws<InvalidOperationException>(() => mtu.Update([Pool("Always")]));

        Assert.StartsWith($"requireMTUFile is true and the MTU file {_dir.File("missing/mtu")} could not be written: ", e.Message, StringComparison.Ordinal);
    }

    private MtuManager Manager() => new(_dir.Path, () => _links, _log);

    private static IPPool Pool(string vxlanMode) => new() { Metadata = { Name = "pool" }, Spec = new() { Cidr = "10.65.0.0/16", VxlanMode = vxlanMode } };
}
