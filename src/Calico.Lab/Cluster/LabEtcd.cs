using System.Globalization;
using System.Net;

namespace Calico.Lab.Cluster;

/// <summary>
/// The lab's etcd: one member (the default, on the fabric router's <c>172.30.0.1:2379</c>) or a cluster of
/// <c>--etcd-members</c> N (odd, at most <see cref="MaxMembers"/>), member i serving clients on
/// <c>172.30.0.1:(2379 + 100·i)</c> and its peers on loopback <c>127.0.0.1:(2380 + 100·i)</c>, all in the fabric
/// namespace (every host reaches the fabric router). Each member is its own detached process with its own data
/// directory and log, recorded in lab.json as it starts so <c>down</c> stops every one.
/// </summary>
public static class LabEtcd
{
    public const int MaxMembers = 5;
    private const int PortStep = 100;

    /// <summary>Every member's client URL, comma-separated (ETCD_ENDPOINTS for calico-node, calicoctl, the CNI plugin).</summary>
    public static string Endpoints(int members)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(members, 1);
        return string.Join(",", Enumerable.Range(0, members).Select(ClientUrl));
    }

    /// <summary><c>--etcd-members</c>: 1, 3 or 5, and only with <c>--datastore etcdv3</c>.</summary>
    public static void ValidateMembers(int? members, string datastore)
    {
        if (members is not { } count)
        {
            return;
        }

        if (datastore != "etcdv3")
        {
            throw new LabException($"--etcd-members {count.ToString(CultureInfo.InvariantCulture)} needs --datastore etcdv3 (the {datastore} datastore has no members)");
        }

        if (count is < 1 or > MaxMembers || count % 2 == 0)
        {
            throw new LabException(
                $"--etcd-members {count.ToString(CultureInfo.InvariantCulture)} is not 1, 3 or 5: an etcd cluster has an odd number of members " +
                "(an even one survives no more failures than one member fewer), at most 5 in the lab");
        }
    }

    /// <summary>Starts the members (all at once: a new cluster's members wait for each other); records each in lab.json.</summary>
    public static async Task StartAsync(LabLayout layout, LabState state, int members, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(state);
        var etcd = Prerequisite.Find("etcd", "install Debian package etcd-server");
        Directory.CreateDirectory(layout.EtcdDataDir);
        if (members == 1)
        {
            // The single member keeps its historical name, directory and log.
            var client = ClientUrl(0);
            var pid = DetachedProcess.StartInNetns(
                layout.FabricNetns,
                etcd,
                ["--name", layout.Name, "--data-dir", layout.EtcdDataDir, "--listen-client-urls", client, "--advertise-client-urls", client,
                 "--listen-peer-urls", PeerUrl(0), "--initial-advertise-peer-urls", PeerUrl(0),
                 "--initial-cluster", layout.Name + "=" + PeerUrl(0)],
                new Dictionary<string, string>(StringComparer.Ordinal),
                Path.Combine(layout.StateDir, "etcd.log"));
            var process = new LabProcess { Pid = pid, Marker = layout.EtcdDataDir };
            await LabStateFile.UpdateAsync(layout, s => s.Etcd = process, cancellationToken).ConfigureAwait(false);
            state.Etcd = process;
            return;
        }

        var names = Enumerable.Range(0, members).Select(i => MemberName(layout, i)).ToList();
        var initialCluster = string.Join(",", names.Select((n, i) => n + "=" + PeerUrl(i)));
        for (var i = 0; i < members; i++)
        {
            var member = new LabEtcdMember { Name = names[i], ClientUrl = ClientUrl(i), DataDir = Path.Combine(layout.EtcdDataDir, names[i]) };
            var pid = DetachedProcess.StartInNetns(
                layout.FabricNetns,
                etcd,
                ["--name", member.Name, "--data-dir", member.DataDir, "--listen-client-urls", member.ClientUrl, "--advertise-client-urls", member.ClientUrl,
                 "--listen-peer-urls", PeerUrl(i), "--initial-advertise-peer-urls", PeerUrl(i),
                 "--initial-cluster", initialCluster, "--initial-cluster-state", "new", "--initial-cluster-token", layout.Name + "-etcd"],
                new Dictionary<string, string>(StringComparer.Ordinal),
                Path.Combine(layout.StateDir, member.Name + ".log"));
            member.Process = new LabProcess { Pid = pid, Marker = member.DataDir };
            state.EtcdMembers.Add(member);
            await LabStateFile.UpdateAsync(layout, s => s.EtcdMembers = state.EtcdMembers, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Every etcd process of the lab (the single member or each cluster member), for <c>down</c>.</summary>
    public static IEnumerable<LabProcess> Processes(LabState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Etcd is { } single)
        {
            yield return single;
        }

        foreach (var member in state.EtcdMembers)
        {
            if (member.Process is { } process)
            {
                yield return process;
            }
        }
    }

    /// <summary>
    /// The member that reports itself leader (its <c>etcd_server_is_leader</c> metric on the client port), asked
    /// through a relay into the fabric namespace; null when none does (an election in progress, quorum lost).
    /// </summary>
    public static async Task<LabEtcdMember?> LeaderAsync(LabLayout layout, LabState state, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(state);
        foreach (var member in state.EtcdMembers)
        {
            var uri = new Uri(member.ClientUrl);
            await using var relay = NetnsRelay.Start(LabLayout.NetnsPath(layout.FabricNetns), new IPEndPoint(IPAddress.Parse(uri.Host), uri.Port));
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
            try
            {
                var metrics = await http.GetStringAsync(new Uri(relay.Endpoint + "/metrics"), cancellationToken).ConfigureAwait(false);
                if (metrics.Contains("\netcd_server_is_leader 1", StringComparison.Ordinal))
                {
                    return member;
                }
            }
            catch (HttpRequestException)
            {
                // A stopped member: ask the next one.
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // A member that does not answer: ask the next one.
            }
        }

        return null;
    }

    private static string MemberName(LabLayout layout, int index) => layout.Name + "-etcd" + index.ToString(CultureInfo.InvariantCulture);

    private static string ClientUrl(int index) =>
        $"http://{LabLayout.FabricGateway}:{(LabDatastore.EtcdClientPort + (PortStep * index)).ToString(CultureInfo.InvariantCulture)}";

    private static string PeerUrl(int index) => $"http://127.0.0.1:{(LabDatastore.EtcdClientPort + 1 + (PortStep * index)).ToString(CultureInfo.InvariantCulture)}";
}
