using Calico.Observability.Http;

namespace Calico.Observability.Tests;

/// <summary>A server on 127.0.0.1 with an ephemeral port, stopped (and awaited) on dispose.</summary>
internal sealed class RunningServer : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly HttpEndpointServer _server;

    public RunningServer(IReadOnlyDictionary<string, HttpHandler> routes, string host = "127.0.0.1")
    {
        _server = HttpEndpointServer.Bind(host, 0, routes);
        Running = _server.RunAsync(_stop.Token);
    }

    public int Port => _server.Port;
    public HttpEndpointServer Server => _server;
    public Task Running { get; }

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Running;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }
}
