using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Calico.TestKit;

/// <summary>
/// A real etcd cluster (default three members) on free loopback ports, each member with a private data directory.
/// Members can be frozen, thawed, killed and restarted one by one; dispose kills every process by PID (frozen ones too)
/// and removes the directories, whatever the test did.
/// </summary>
public sealed class EtcdCluster : IAsyncDisposable
{
    private readonly ChildProcess _children;
    private readonly TempDirectory _directory;

    private EtcdCluster(ChildProcess children, TempDirectory directory, IReadOnlyList<EtcdMember> members)
    {
        _children = children;
        _directory = directory;
        Members = members;
    }

    public IReadOnlyList<EtcdMember> Members { get; }

    /// <summary>Every member's client URL, in member order.</summary>
    public IReadOnlyList<string> ClientUrls => [.. Members.Select(m => m.ClientUrl)];

    public static async Task<EtcdCluster> StartAsync(int size = 3, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        // A port probed free can still be taken before etcd binds it; new ports, up to three times.
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return await StartOnceAsync(size, cancellationToken);
            }
            catch (Exception ex) when (attempt < 3 && LoopbackPort.IsAddressInUse(ex))
            {
            }
        }
    }

    private static async Task<EtcdCluster> StartOnceAsync(int size, CancellationToken cancellationToken)
    {
        Prerequisites.Require("etcd");
        var directory = new TempDirectory("calico-etcd-cluster");
        var children = new ChildProcess();
        try
        {
            var names = Enumerable.Range(0, size).Select(i => "m" + i.ToString(CultureInfo.InvariantCulture)).ToList();
            var ports = names.Select(_ => (Client: LoopbackPort.Free(), Peer: LoopbackPort.Free(), Metrics: LoopbackPort.Free())).ToList();
            string initialCluster = string.Join(",", names.Select((n, i) => $"{n}=http://127.0.0.1:{ports[i].Peer.ToString(CultureInfo.InvariantCulture)}"));
            var members = new List<EtcdMember>();
            for (int i = 0; i < size; i++)
            {
                string client = "http://127.0.0.1:" + ports[i].Client.ToString(CultureInfo.InvariantCulture);
                string peer = "http://127.0.0.1:" + ports[i].Peer.ToString(CultureInfo.InvariantCulture);
                string metrics = "http://127.0.0.1:" + ports[i].Metrics.ToString(CultureInfo.InvariantCulture);
                string[] arguments =
                [
                    "--name", names[i],
                    "--data-dir", Path.Combine(directory.Path, names[i]),
                    "--listen-client-urls", client,
                    "--advertise-client-urls", client,
                    "--listen-peer-urls", peer,
                    "--initial-advertise-peer-urls", peer,
                    "--initial-cluster", initialCluster,
                    "--initial-cluster-state", "new",
                    "--initial-cluster-token", Path.GetFileName(directory.Path),
                    "--listen-metrics-urls", metrics,
                    "--logger", "zap",
                    "--log-level", "warn",
                ];
                members.Add(new EtcdMember(children, names[i], client, metrics, arguments));
            }

            var cluster = new EtcdCluster(children, directory, members);
            try
            {
                // All at once: a member of a new cluster is only healthy once a quorum is up.
                foreach (EtcdMember member in members)
                {
                    member.Start();
                }

                await Task.WhenAll(members.Select(m => m.WaitHealthyAsync(cancellationToken)));
            }
            catch
            {
                await cluster.DisposeAsync();
                throw;
            }

            return cluster;
        }
        catch
        {
            children.Dispose();
            directory.Dispose();
            throw;
        }
    }

    /// <summary>The member that is leader now (waits up to 30 s for an election to settle).</summary>
    public async Task<EtcdMember> LeaderAsync(CancellationToken cancellationToken = default)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            foreach (EtcdMember member in Members.Where(m => m.IsRunning && !m.IsFrozen))
            {
                try
                {
                    if (await member.IsLeaderAsync(cancellationToken))
                    {
                        return member;
                    }
                }
                catch (HttpRequestException)
                {
                    // Starting or stopping: ask the next one.
                }
            }

            await Task.Delay(100, cancellationToken);
        }

        throw new TimeoutException("no etcd member reported itself leader within 30 s");
    }

    /// <summary>Brings every member back: thaws frozen ones, restarts killed ones, then waits until all are healthy.</summary>
    public async Task RestoreAsync(CancellationToken cancellationToken = default)
    {
        foreach (EtcdMember member in Members)
        {
            if (member.IsFrozen)
            {
                member.Thaw();
            }

            if (!member.IsRunning)
            {
                member.Start();
            }
        }

        await Task.WhenAll(Members.Select(m => m.WaitHealthyAsync(cancellationToken)));
    }

    public ValueTask DisposeAsync()
    {
        try
        {
            _children.Dispose();
        }
        finally
        {
            _directory.Dispose();
        }

        return ValueTask.CompletedTask;
    }
}
