using System.Security.Cryptography.X509Certificates;
using Calico.Goldmane.Services;
using Calico.Goldmane.Store;
using Calico.Goldmane.Web;
using Calico.Observability.Logging;
using Calico.Observability.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Calico.Goldmane.Host;

/// <summary>
/// One Kestrel server, two listeners: the gRPC port (HTTP/2 cleartext, or TLS with --tls-cert/--tls-key) answers
/// only the goldmane.* gRPC services; the HTTP port (HTTP/1.1 and HTTP/2) answers the web view
/// (<see cref="FlowWebEndpoints.MapFlowWeb"/>), /liveness, /readiness and /metrics. A request on the wrong port is 404.
/// </summary>
public static partial class GoldmaneHost
{
    private const string GrpcPathPrefix = "/goldmane.";

    public static WebApplication Build(GoldmaneOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new CalicoLoggerProvider(options.LogSeverity));
        builder.Logging.SetMinimumLevel(options.LogSeverity.ToMinimumLevel());
        // ASP.NET Core's own information lines (request starts, hosting) are noise at Info.
        builder.Logging.AddFilter("Microsoft", options.LogSeverity == LogSeverity.Debug ? LogLevel.Debug : LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            X509Certificate2? certificate = options.TlsCert is not null && options.TlsKey is not null
                ? X509Certificate2.CreateFromPemFile(options.TlsCert, options.TlsKey)
                : null;
            Listen(kestrel, options, options.GrpcPort, listen =>
            {
                if (certificate is null)
                {
                    listen.Protocols = HttpProtocols.Http2;
                }
                else
                {
                    listen.Protocols = HttpProtocols.Http1AndHttp2;
                    listen.UseHttps(certificate);
                }
            });
            Listen(kestrel, options, options.HttpPort, listen => listen.Protocols = HttpProtocols.Http1AndHttp2);
        });

        var registry = new MetricsRegistry();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(registry);
        builder.Services.AddSingleton(options.Store);
        builder.Services.AddSingleton(new StoreMetrics(registry));
        builder.Services.AddSingleton(new CollectorMetrics(registry));
        builder.Services.AddSingleton<FlowStore>();
        builder.Services.AddSingleton<RolloverLoop>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<RolloverLoop>());
        builder.Services.AddGrpc();
        // Streams end on stop (see the services); what is left gets a short grace, not the default 30 s.
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(5));

        var app = builder.Build();
        var store = app.Services.GetRequiredService<FlowStore>();
        var loop = app.Services.GetRequiredService<RolloverLoop>();
        app.Use((context, next) =>
        {
            bool grpc = context.Request.Path.Value?.StartsWith(GrpcPathPrefix, StringComparison.Ordinal) == true;
            bool onGrpcPort = context.Connection.LocalPort == options.GrpcPort;
            if (grpc != onGrpcPort)
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            }

            return next(context);
        });
        app.MapGrpcService<FlowCollectorService>();
        app.MapGrpcService<FlowsService>();
        app.MapGrpcService<StatisticsService>();
        app.MapGet("/liveness", (RequestDelegate)(context => Health(context, loop, "live")));
        app.MapGet("/readiness", (RequestDelegate)(context => Health(context, loop, "ready")));
        app.MapGet("/metrics", (RequestDelegate)(async context =>
        {
            context.Response.ContentType = MetricsRegistry.TextContentType;
            await registry.WriteTextAsync(context.Response.Body, context.RequestAborted).ConfigureAwait(false);
        }));
        FlowWebEndpoints.MapFlowWeb(app, store);
        return app;
    }

    /// <summary>200 while the rollover loop ticks (upstream's health aggregator answers the same paths), else 503.</summary>
    private static Task Health(HttpContext context, RolloverLoop loop, string word)
    {
        context.Response.ContentType = "text/plain; charset=utf-8";
        if (loop.Healthy)
        {
            return context.Response.WriteAsync(word + "\n", context.RequestAborted);
        }

        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        return context.Response.WriteAsync("rollover loop stalled\n", context.RequestAborted);
    }

    private static void Listen(KestrelServerOptions kestrel, GoldmaneOptions options, int port, Action<ListenOptions> configure)
    {
        if (options.ListenAddress is null)
        {
            kestrel.ListenAnyIP(port, configure);
        }
        else
        {
            kestrel.Listen(options.ListenAddress, port, configure);
        }
    }
}
