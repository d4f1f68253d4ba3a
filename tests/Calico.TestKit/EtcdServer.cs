using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Calico.TestKit;

/// <summary>
/// A real single-member etcd on free loopback ports with a private data directory, optionally serving TLS with
/// client-certificate authentication. Dispose kills it by PID and removes the directory, whatever the test did.
/// </summary>
public sealed class EtcdServer : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private readonly ChildProcess _children;
    private readonly TempDirectory _directory;
    private readonly Process _process;

    private EtcdServer(ChildProcess children, TempDirectory directory, Process process, string clientUrl, TestCertificates? certificates)
    {
        _children = children;
        _directory = directory;
        _process = process;
        ClientUrl = clientUrl;
        Certificates = certificates;
    }

    /// <summary>The client URL, <c>http://127.0.0.1:port</c> or <c>https://…</c> with TLS.</summary>
    public string ClientUrl { get; }

    /// <summary>The PKI when started with TLS: the client uses CaCertFile, ClientCertFile and ClientKeyFile.</summary>
    public TestCertificates? Certificates { get; }

    public int ProcessId => _process.Id;

    public string DataDirectory => Path.Combine(_directory.Path, "data");

    public static async Task<EtcdServer> StartAsync(bool tls = false, CancellationToken cancellationToken = default)
    {
        // A port probed free can still be taken before etcd binds it; new ports, up to three times.
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return await StartOnceAsync(tls, cancellationToken);
            }
            catch (Exception ex) when (attempt < 3 && LoopbackPort.IsAddressInUse(ex))
            {
            }
        }
    }

    private static async Task<EtcdServer> StartOnceAsync(bool tls, CancellationToken cancellationToken)
    {
        string etcd = Prerequisites.Require("etcd");
        var directory = new TempDirectory("calico-etcd");
        var children = new ChildProcess();
        try
        {
            TestCertificates? certificates = tls ? TestCertificates.Create(directory.Path) : null;
            int clientPort = LoopbackPort.Free();
            int peerPort = LoopbackPort.Free();
            int metricsPort = LoopbackPort.Free();
            string scheme = tls ? "https" : "http";
            string clientUrl = $"{scheme}://127.0.0.1:{clientPort.ToString(CultureInfo.InvariantCulture)}";
            string peerUrl = $"http://127.0.0.1:{peerPort.ToString(CultureInfo.InvariantCulture)}";
            string metricsUrl = $"http://127.0.0.1:{metricsPort.ToString(CultureInfo.InvariantCulture)}";
            var arguments = new List<string>
            {
                "--name", "test",
                "--data-dir", Path.Combine(directory.Path, "data"),
                "--listen-client-urls", clientUrl,
                "--advertise-client-urls", clientUrl,
                "--listen-peer-urls", peerUrl,
                "--initial-advertise-peer-urls", peerUrl,
                "--initial-cluster", "test=" + peerUrl,
                "--initial-cluster-state", "new",
                "--listen-metrics-urls", metricsUrl,
                "--logger", "zap",
                "--log-level", "warn",
            };
            if (certificates is not null)
            {
                arguments.AddRange(
                [
                    "--cert-file", certificates.ServerCertFile,
                    "--key-file", certificates.ServerKeyFile,
                    "--trusted-ca-file", certificates.CaCertFile,
                    "--client-cert-auth",
                ]);
            }

            Process process = children.Start(etcd, arguments);
            var server = new EtcdServer(children, directory, process, clientUrl, certificates);
            try
            {
                await server.WaitHealthyAsync(metricsUrl + "/health", cancellationToken);
            }
            catch
            {
                await server.DisposeAsync();
                throw;
            }

            return server;
        }
        catch
        {
            children.Dispose();
            directory.Dispose();
            throw;
        }
    }

    /// <summary>Kills etcd with SIGKILL (by PID) without removing its data, e.g. to test connection loss.</summary>
    public void Kill() => ChildProcess.Kill(_process);

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

    private async Task WaitHealthyAsync(string healthUrl, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        string? last = null;
        while (deadline.Elapsed < StartTimeout)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException(
                    $"etcd exited with code {_process.ExitCode} during start-up:\n{_children.OutputOf(_process)}");
            }

            try
            {
                using HttpResponseMessage response = await http.GetAsync(new Uri(healthUrl), cancellationToken);
                last = await response.Content.ReadAsStringAsync(cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK && last.Contains("\"health\":\"true\"", StringComparison.Ordinal))
                {
                    return;
                }
            }
            catch (HttpRequestException ex)
            {
                last = ex.Message;
            }
            catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
            {
                last = ex.Message;
            }

            await Task.Delay(50, cancellationToken);
        }

        throw new TimeoutException($"etcd at {ClientUrl} not healthy after {StartTimeout}: {last}\n{_children.OutputOf(_process)}");
    }
}
