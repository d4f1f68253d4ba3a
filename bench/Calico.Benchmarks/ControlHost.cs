using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Calico.Linux;
using Calico.TestKit;

namespace Calico.Benchmarks;

/// <summary>
/// A network namespace standing as the bench host: an uplink with a default route (proxy ARP for 169.254.1.1 needs
/// a route out of another interface, as on a real host), forwarding on, and host-side workload veths created in bulk
/// with <c>ip -batch</c> (their peers stay in the same namespace under a non-cali name). Deleted on dispose.
/// </summary>
internal sealed class ControlHost : IDisposable
{
    private ControlHost(string name)
    {
        Name = name;
    }

    public string Name { get; }

    public string Path => "/var/run/netns/" + Name;

    public static async Task<ControlHost> CreateAsync(string prefix)
    {
        var host = new ControlHost(UniqueName(prefix));
        IpTool.Run("netns", "add", host.Name);
        try
        {
            await BatchAsync(host.Name, [
                "link set lo up",
                "link add bhup type veth peer name bhup2",
                "addr add 198.18.255.1/30 dev bhup",
                "link set bhup up",
                "link set bhup2 up",
                "route add default via 198.18.255.2",
            ]);
            // No IPv6 here: the bench is IPv4, and IPv6 address configuration of thousands of new links (DAD, router
            // solicitations) would run in kernel workers during the measurements.
            await ShAsync($"ip netns exec {host.Name} sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1");
            return host;
        }
        catch
        {
            host.Dispose();
            throw;
        }
    }

    public static string UniqueName(string prefix) => $"{prefix}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}";

    /// <summary>Creates <paramref name="count"/> workload veths (host side <see cref="ControlWorld.LocalInterface"/>), up.</summary>
    public async Task AddWorkloadVethsAsync(int count)
    {
        var lines = new List<string>(count * 3);
        for (var i = 0; i < count; i++)
        {
            var cali = ControlWorld.LocalInterface(i);
            var peer = "p" + cali[4..];
            lines.Add($"link add {cali} type veth peer name {peer}");
            lines.Add($"link set {peer} up");
            lines.Add($"link set {cali} up");
        }

        await BatchAsync(Name, lines);
    }

    /// <summary>Runs <c>ip -n ns -batch -</c> with the lines on stdin; throws with stderr on failure.</summary>
    public static async Task BatchAsync(string ns, IReadOnlyList<string> lines)
    {
        var (exit, _, error) = await RunAsync("ip", ["-n", ns, "-batch", "-"], string.Join('\n', lines) + "\n");
        if (exit != 0)
        {
            throw new InvalidOperationException($"ip -n {ns} -batch failed: {error}");
        }
    }

    public static async Task ShAsync(string script)
    {
        var (exit, _, error) = await RunAsync("/bin/sh", ["-c", script], null);
        if (exit != 0)
        {
            throw new InvalidOperationException($"failed ({exit}): {script}: {error}");
        }
    }

    public static async Task<(int Exit, string Output, string Error)> RunAsync(string program, IEnumerable<string> arguments, string? stdin)
    {
        var info = new System.Diagnostics.ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = stdin is not null, UseShellExecute = false };
        foreach (var a in arguments)
        {
            info.ArgumentList.Add(a);
        }

        using var p = System.Diagnostics.Process.Start(info) ?? throw new InvalidOperationException("could not start " + program);
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await p.StandardInput.WriteAsync(stdin);
            p.StandardInput.Close();
        }

        await p.WaitForExitAsync();
        return (p.ExitCode, await output, await error);
    }

    /// <summary>An HTTP client whose connections are opened inside the namespace (the agent listens on its loopback).</summary>
    public HttpClient CreateHttpClient()
    {
        var path = Path;
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = await NetworkNamespace.RunInAsync(path, () => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true }, cancellationToken);
                try
                {
                    await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, context.DnsEndPoint.Port), cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
    }

    public void Dispose()
    {
        // calico-node's BIRD is daemonised (it outlives calico-node by design): end whatever still runs in here.
        var (_, pids, _) = IpTool.TryRun("netns", "pids", Name);
        foreach (string pid in pids.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (int.TryParse(pid, System.Globalization.CultureInfo.InvariantCulture, out int id))
            {
                try
                {
                    System.Diagnostics.Process.GetProcessById(id).Kill();
                }
                catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
                {
                }
            }
        }

        var (exit, _, error) = IpTool.TryRun("netns", "del", Name);
        if (exit != 0 && File.Exists(Path))
        {
            Console.Error.WriteLine($"could not delete netns {Name}: {error}");
        }
    }
}
