using System.Net;
using Calico.Goldmane.Api;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

using Calico.Ctl.Tests;

namespace Calico.Goldmane.Web.Tests;

/// <summary>
/// Goldmane's Flows service in-process on Kestrel (plain HTTP/2 on a loopback port) over <see cref="FlowSamples.All"/>,
/// filtering as the proto says (OR within a field, AND across fields) and remembering each List request.
/// </summary>
public sealed class FlowsServerFixture : IAsyncLifetime
{
    private WebApplication? _app;

    internal RecordingFlowsService Service { get; } = new(FlowSamples.All);

    public string Address { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(Service);
        _app = builder.Build();
        _app.MapGrpcService<RecordingFlowsService>();
        await _app.StartAsync();
        Address = new Uri(_app.Urls.First()).Authority;
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    internal sealed class RecordingFlowsService(IReadOnlyList<Flow> flows) : Flows.FlowsBase
    {
        private readonly List<FlowListRequest> _requests = [];

        public IReadOnlyList<FlowListRequest> TakeRequests()
        {
            lock (_requests)
            {
                var taken = _requests.ToList();
                _requests.Clear();
                return taken;
            }
        }

        public override Task<FlowListResult> List(FlowListRequest request, ServerCallContext context)
        {
            lock (_requests)
            {
                _requests.Add(request);
            }

            var result = new FlowListResult { Meta = new ListMetadata { TotalPages = 1 } };
            for (int i = 0; i < flows.Count; i++)
            {
                if (Matches(flows[i], request.Filter ?? new Filter()))
                {
                    result.Flows.Add(new FlowResult { Id = i + 1, Flow = flows[i] });
                }
            }

            return Task.FromResult(result);
        }

        private static bool Matches(Flow flow, Filter f)
        {
            var k = flow.Key;
            static bool Any(IEnumerable<StringMatch> matches, string value) => !matches.Any() || matches.Any(m => m.Value == value);
            var hits = k.Policies.EnforcedPolicies.Concat(k.Policies.PendingPolicies).ToList();
            return Any(f.SourceNamespaces, k.SourceNamespace) && Any(f.DestNamespaces, k.DestNamespace)
                && Any(f.SourceNames, k.SourceName) && Any(f.DestNames, k.DestName)
                && (f.Actions.Count == 0 || f.Actions.Contains(k.Action))
                && (f.DestPorts.Count == 0 || f.DestPorts.Any(p => p.Port == k.DestPort))
                && (f.Policies.Count == 0 || f.Policies.Any(p => hits.Any(h => h.Name == p.Name.Value && (p.Namespace is null || p.Namespace.Value == h.Namespace))));
        }
    }
}
