using Calico.TestKit;

namespace Calico.Lab.Tests;

/// <summary>One lab for a test class: <c>up --no-node</c> with one host and pods x/a and x/b serving TCP/80 and UDP/81.</summary>
public sealed class LabFixture : IAsyncLifetime
{
    public LabRunner Lab { get; } = new();

    public async Task InitializeAsync()
    {
        IpTool.RequireRootTier();
        await Lab.MustAsync("up", "--no-node");
        await Lab.MustAsync("run", "host1", "x/a", "--serve", "TCP/80,UDP/81", "--labels", "app=web");
        await Lab.MustAsync("run", "host1", "x/b", "--serve", "TCP/80,UDP/81");
    }

    public Task DisposeAsync()
    {
        Lab.Dispose();
        return Task.CompletedTask;
    }
}
