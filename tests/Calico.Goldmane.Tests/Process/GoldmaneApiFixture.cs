using Calico.Goldmane.Tests.Upstream;
using UpstreamAction = Calico.Goldmane.Tests.Upstream.Action;

namespace Calico.Goldmane.Tests.Process;

/// <summary>One goldmane process (1 s buckets) with three flows connected once; each test queries it through upstream's proto.</summary>
public sealed class GoldmaneApiFixture : IAsyncLifetime
{
    public GoldmaneProcess Goldmane { get; } = new("--window", "1s", "--buckets", "182");

    public long Start { get; } = UpstreamFlows.Now - 2;

    public async Task InitializeAsync() => await Goldmane.ConnectAndSendAsync(
        UpstreamFlows.Make("frontend-", "web-", "shop", 80, UpstreamAction.Allow, Start, packets: 5,
            pending: new PolicyHit { Kind = PolicyKind.StagedNetworkPolicy, Tier = "default", Namespace = "shop", Name = "staged-deny", Action = UpstreamAction.Deny }),
        UpstreamFlows.Make("attacker-", "db-", "data", 5432, UpstreamAction.Deny, Start, packets: 3, policy: "db-lockdown"),
        UpstreamFlows.Make("batch-", "web-", "shop", 8080, UpstreamAction.Allow, Start, packets: 7));

    public Task DisposeAsync()
    {
        Goldmane.Dispose();
        return Task.CompletedTask;
    }
}
