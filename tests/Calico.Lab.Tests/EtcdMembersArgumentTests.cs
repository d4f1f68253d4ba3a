using Calico.Lab.Cluster;

namespace Calico.Lab.Tests;

/// <summary><c>up --etcd-members</c>: only odd counts up to 5, only with etcdv3; refused before anything is made.</summary>
[Trait("Tier", "Unit")]
public sealed class EtcdMembersArgumentTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(5)]
    public void Validate_OddCountWithEtcd_Accepted(int members) =>
        new UpOptions(Datastore: "etcdv3") { EtcdMembers = members }.Validate();

    [Theory]
    [InlineData("0")]
    [InlineData("2")]
    [InlineData("4")]
    [InlineData("7")]
    public async Task Up_BadCount_RefusedNamingTheFlagAndValue(string members)
    {
        using var lab = new LabRunner();
        var outcome = await lab.RunAsync("up", "--datastore", "etcdv3", "--etcd-members", members);

        Assert.Equal(1, outcome.ExitCode);
        Assert.StartsWith($"calico-lab up: --etcd-members {members} is not 1, 3 or 5", outcome.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(lab.StateDir));
    }

    [Fact]
    public async Task Up_MembersWithoutEtcd_RefusedNamingTheDatastore()
    {
        using var lab = new LabRunner();
        var outcome = await lab.RunAsync("up", "--etcd-members", "3");

        Assert.Equal(1, outcome.ExitCode);
        Assert.Equal("calico-lab up: --etcd-members 3 needs --datastore etcdv3 (the embedded datastore has no members)\n", outcome.Error);
        Assert.False(Directory.Exists(lab.StateDir));
    }

    [Fact]
    public async Task Up_MembersNotANumber_Refused()
    {
        using var lab = new LabRunner();
        var outcome = await lab.RunAsync("up", "--datastore", "etcdv3", "--etcd-members", "three");

        Assert.Equal(1, outcome.ExitCode);
        Assert.Equal("calico-lab up: --etcd-members 'three' is not a number\n", outcome.Error);
    }

    [Fact]
    public void Endpoints_ThreeMembers_EveryClientPortOnTheFabric() =>
        Assert.Equal("http://172.30.0.1:2379,http://172.30.0.1:2479,http://172.30.0.1:2579", LabEtcd.Endpoints(3));
}
