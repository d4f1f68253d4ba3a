using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Calico.Goldmane.Web.Tests;

/// <summary>MapFlowWeb hosted in-process on Kestrel on a loopback port, answering from a <see cref="TestFlowSource"/>.</summary>
internal sealed class FlowPageServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FlowPageServer(WebApplication app, TestFlowSource source, Uri address)
    {
        _app = app;
        Source = source;
        Address = address;
    }

    public TestFlowSource Source { get; }

    /// <summary>The page's address, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri Address { get; }

    public static async Task<FlowPageServer> StartAsync(TestFlowSource source)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        FlowWebEndpoints.MapFlowWeb(app, source);
        await app.StartAsync();
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new FlowPageServer(app, source, new Uri(address.TrimEnd('/') + "/"));
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(timeout.Token);
        await _app.DisposeAsync();
    }
}
