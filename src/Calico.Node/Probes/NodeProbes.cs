using System.Globalization;
using System.Net;
using Calico.Bird;
using Calico.Bird.Control;
using Calico.Node.Startup;

namespace Calico.Node.Probes;

/// <summary>
/// Upstream's <c>node/pkg/health</c>: each asked check against the running node, with upstream's messages. Felix:
/// GET <c>/liveness</c> or <c>/readiness</c> on <c>FELIX_HEALTHHOST:FELIX_HEALTHPORT</c> (default localhost:9099), a
/// 2xx/3xx answer is healthy. BIRD live: <c>show status</c> over <c>&lt;state-dir&gt;/bird.ctl</c> answers. BIRD
/// ready (upstream's <c>checkBIRDReady</c>): no Calico BGP peer of the family, or, within the threshold time after
/// calico-node started (the nodename file's time), every peer Established and no graceful restart in progress, or,
/// later, at least one peer Established (so one node down does not make the whole mesh unready). One BIRD 2 serves
/// both families here, so the <c>bird6</c> checks ask the same daemon about its IPv6 sessions. With
/// <c>CALICO_NETWORKING_BACKEND</c> none or vxlan there is no BIRD and its checks pass.
/// </summary>
internal static class NodeProbes
{
    public static async Task<int> RunAsync(NodeProbeOptions options, IReadOnlyDictionary<string, string> environment, TextWriter output, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(time);
        if (!options.Any)
        {
            await output.WriteLineAsync("calico/node check error: must specify at least one of -bird-live, -bird6-live, -felix-live, -bird-ready, -bird6-ready, or -felix-ready").ConfigureAwait(false);
            return 1;
        }

        string host = EnvironmentValues.Get(environment, "FELIX_HEALTHHOST") ?? "localhost";
        string portText = EnvironmentValues.Get(environment, "FELIX_HEALTHPORT") ?? "9099";
        if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port is 0 or > 65535)
        {
            await output.WriteLineAsync($"calico/node check error: FELIX_HEALTHPORT='{portText}' is not a port").ConfigureAwait(false);
            return 1;
        }

        string backend = EnvironmentValues.Get(environment, "CALICO_NETWORKING_BACKEND") ?? "bird";
        bool birdExpected = backend is not ("none" or "vxlan");
        string socket = Path.Combine(options.StateDir, "bird.ctl");
        string nodename = Path.Combine(options.StateDir, "nodename");
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(options.ThresholdTime);

        var checks = new List<Task<string?>>();
        if (options.FelixLive)
        {
            checks.Add(Prefix("calico/node is not ready: Felix is not live: ", CheckFelixAsync(host, port, "/liveness", "liveness", deadline.Token)));
        }

        if (options.BirdLive && birdExpected)
        {
            checks.Add(CheckBirdLiveAsync(socket, "bird", deadline.Token));
        }

        if (options.Bird6Live && birdExpected)
        {
            checks.Add(CheckBirdLiveAsync(socket, "bird6", deadline.Token));
        }

        if (options.FelixReady)
        {
            checks.Add(Prefix("calico/node is not ready: felix is not ready: ", CheckFelixAsync(host, port, "/readiness", "readiness", deadline.Token)));
        }

        if (options.BirdReady && birdExpected)
        {
            checks.Add(Prefix("calico/node is not ready: BIRD is not ready: ", CheckBirdReadyAsync(socket, nodename, ipv6: false, options.ThresholdTime, time, deadline.Token)));
        }

        if (options.Bird6Ready && birdExpected)
        {
            checks.Add(Prefix("calico/node is not ready: BIRD6 is not ready: ", CheckBirdReadyAsync(socket, nodename, ipv6: true, options.ThresholdTime, time, deadline.Token)));
        }

        string?[] failures = await Task.WhenAll(checks).ConfigureAwait(false);
        bool failed = false;
        foreach (string? failure in failures)
        {
            if (failure is not null)
            {
                failed = true;
                await output.WriteLineAsync(failure).ConfigureAwait(false);
            }
        }

        return failed ? 1 : 0;
    }

    private static async Task<string?> Prefix(string prefix, Task<string?> check) =>
        await check.ConfigureAwait(false) is { } failure ? prefix + failure : null;

    /// <summary>Upstream's <c>checkFelixHealth</c>: null when the endpoint answers 2xx or 3xx.</summary>
    internal static async Task<string?> CheckFelixAsync(string host, int port, string path, string probeType, CancellationToken cancellationToken)
    {
        string url = "http://" + (host.Contains(':', StringComparison.Ordinal) ? "[" + host + "]" : host) + ":" + port.ToString(CultureInfo.InvariantCulture) + path;
        using var handler = new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false };
        using var client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        try
        {
            using HttpResponseMessage response = await client.GetAsync(new Uri(url), cancellationToken).ConfigureAwait(false);
            int status = (int)response.StatusCode;
            return status is >= 200 and < 400 ? null : $"{probeType} probe reporting {status}";
        }
        catch (HttpRequestException e)
        {
            return $"Get \"{url}\": {e.Message}";
        }
        catch (OperationCanceledException)
        {
            return $"Get \"{url}\": context deadline exceeded";
        }
    }

    /// <summary>Upstream's <c>-bird-live</c>: BIRD answers <c>show status</c> on its control socket.</summary>
    internal static async Task<string?> CheckBirdLiveAsync(string socket, string name, CancellationToken cancellationToken)
    {
        try
        {
            await using BirdControl control = await BirdControl.ConnectAsync(socket, cancellationToken).ConfigureAwait(false);
            BirdReply reply = await control.SendAsync("show status", cancellationToken).ConfigureAwait(false);
            BirdDaemonStatus status = BirdDaemonStatus.Parse(reply);
            return status.Version is not null ? null : $"calico/node is not ready: bad response from {name}: {reply.Text}";
        }
        catch (Exception e) when (e is BirdControlException or IOException or System.Net.Sockets.SocketException or OperationCanceledException)
        {
            return $"calico/node is not ready: {name} is not live: {Reason(e)}";
        }
    }

    /// <summary>Upstream's <c>checkBIRDReady</c>; null when ready.</summary>
    internal static async Task<string?> CheckBirdReadyAsync(string socket, string nodenameFile, bool ipv6, TimeSpan threshold, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!File.Exists(nodenameFile))
        {
            return $"failed to stat() nodename file: stat {nodenameFile}: no such file or directory";
        }

        DateTime started = File.GetLastWriteTimeUtc(nodenameFile);
        IReadOnlyList<BirdProtocolStatus> protocols;
        bool gracefulRestart;
        try
        {
            await using BirdControl control = await BirdControl.ConnectAsync(socket, cancellationToken).ConfigureAwait(false);
            protocols = await control.ShowProtocolsAsync(cancellationToken).ConfigureAwait(false);
            BirdReply status = await control.SendAsync("show status", cancellationToken).ConfigureAwait(false);
            // "0024-Graceful restart recovery in progress" (BIRD's code for the graceful restart status lines).
            gracefulRestart = status.Lines.Any(l => l.Code == 24);
        }
        catch (Exception e) when (e is BirdControlException or IOException or System.Net.Sockets.SocketException or OperationCanceledException)
        {
            return $"error querying BIRD: unable to connect to BIRDv{(ipv6 ? 6 : 4)} socket: {Reason(e)}";
        }

        return Evaluate(protocols, ipv6, time.GetUtcNow().UtcDateTime - started < threshold, gracefulRestart);
    }

    /// <summary>The decision alone (pure): null when ready, else upstream's reason.</summary>
    internal static string? Evaluate(IReadOnlyList<BirdProtocolStatus> protocols, bool ipv6, bool withinThreshold, bool gracefulRestart)
    {
        int established = 0;
        var notEstablished = new List<string>();
        foreach (BirdProtocolStatus protocol in protocols)
        {
            if (protocol.Proto != "BGP" || BirdPeerName.TryDecode(protocol.Name) is not { } peer || peer.IsIPv6 != ipv6)
            {
                continue;
            }

            if (protocol.Info.StartsWith("Established", StringComparison.Ordinal))
            {
                established++;
            }
            else
            {
                notEstablished.Add(peer.Address);
            }
        }

        if (established + notEstablished.Count == 0)
        {
            return null;
        }

        if (withinThreshold)
        {
            // Just started: ready only once every session is back, so a rolling update waits for BGP.
            if (notEstablished.Count > 0)
            {
                return "BGP not established with " + string.Join(',', notEstablished);
            }

            return gracefulRestart ? "graceful restart in progress" : null;
        }

        // Later one session suffices: other nodes being down must not make this one unready.
        return established > 0 ? null : "BGP not established with " + string.Join(',', notEstablished);
    }

    private static string Reason(Exception e) => e is OperationCanceledException ? "context deadline exceeded" : e.Message;
}
