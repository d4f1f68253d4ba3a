using Xunit;

namespace Calico.TestKit;

/// <summary>xunit class fixture: one plain-HTTP etcd shared by every test in a class.</summary>
public class EtcdFixture : IAsyncLifetime
{
    private EtcdServer? _server;

    public EtcdServer Server => _server ?? throw new InvalidOperationException("etcd fixture not started");

    protected virtual bool UseTls => false;

    public async Task InitializeAsync() => _server = await EtcdServer.StartAsync(UseTls);

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
