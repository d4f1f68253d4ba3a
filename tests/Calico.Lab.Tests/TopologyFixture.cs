using Calico.Lab.Cluster;
using Calico.TestKit;

namespace Calico.Lab.Tests;

/// <summary>
/// One lab for the topology tests: three hosts (two subnets), the ToR, VXLAN CrossSubnet, no calico-node; pods x/a
/// and x/b on host1 serving TCP/80 and UDP/81.
/// </summary>
public sealed class TopologyFixture : IAsyncLifetime
{
    public LabRunner Lab { get; } = new();

    public string UpOutput { get; private set; } = "";

    public LabState State() => LabStateFile.Load(LabLayout.Create(Lab.Name, Lab.StateDir));

    public async Task InitializeAsync()
    {
        IpTool.RequireRootTier();
        Prerequisites.Require("bird");
        UpOutput = await Lab.MustAsync("up", "--no-node", "--hosts", "3", "--tor", "--encapsulation", "vxlan-crosssubnet");
        await Lab.MustAsync("run", "host1", "x/a", "--serve", "TCP/80,UDP/81");
        await Lab.MustAsync("run", "host1", "x/b", "--serve", "TCP/80,UDP/81");
    }

    public Task DisposeAsync()
    {
        Lab.Dispose();
        return Task.CompletedTask;
    }
}
