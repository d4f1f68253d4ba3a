using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Channels;
using Calico.Felix.FlowLogs;
using Calico.Goldmane.Api;
using Calico.Observability.Metrics;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;

namespace Calico.Node.FlowLogs;

/// <summary>
/// Streams flows to the goldmane aggregator over upstream's <c>FlowCollector.Connect</c>, one receipt per flow, with
/// upstream's client policy (<see cref="FlowSendQueue"/>: bounded queue, resend of recent flows after a reconnection,
/// backoff 1-10 s). Plain HTTP/2 unless upstream's client certificate settings (TyphaCertFile, TyphaKeyFile,
/// TyphaCAFile, which upstream's Felix uses for Goldmane too) are given. <see cref="Push"/> never blocks: the
/// collector hands flows over and goes on.
/// </summary>
internal sealed partial class GoldmaneFlowClient : IDisposable
{
    private readonly Channel<Flow> _incoming = Channel.CreateBounded<Flow>(new BoundedChannelOptions(5000) { SingleReader = true });
    private readonly GrpcChannel _channel;
    private readonly FlowMetricsSink _metrics;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly string _server;

    public GoldmaneFlowClient(string server, string certFile, string keyFile, string caFile, FlowMetricsSink metrics, ILogger logger, TimeProvider time)
    {
        _server = server;
        _metrics = metrics;
        _logger = logger;
        _time = time;
        bool tls = certFile.Length > 0 || keyFile.Length > 0 || caFile.Length > 0;
        var handler = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = true,
            KeepAlivePingDelay = TimeSpan.FromSeconds(30),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(10),
            ConnectTimeout = TimeSpan.FromSeconds(5),
        };
        if (tls)
        {
            if (certFile.Length > 0 && keyFile.Length > 0)
            {
                handler.SslOptions.ClientCertificates = [X509Certificate2.CreateFromPemFile(certFile, keyFile)];
            }

            if (caFile.Length > 0)
            {
                var ca = new X509Certificate2Collection();
                ca.ImportFromPemFile(caFile);
                handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) => ValidateWithCa(certificate, errors, ca);
            }
        }

        _channel = GrpcChannel.ForAddress((tls ? "https://" : "http://") + server, new GrpcChannelOptions { HttpHandler = handler });
    }

    /// <summary>Hands a flow to the send loop; false (counted) when its queue is full.</summary>
    public bool Push(Flow flow)
    {
        if (_incoming.Writer.TryWrite(flow))
        {
            return true;
        }

        _metrics.Dropped("goldmane_queue_full", 1);
        return false;
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var client = new FlowCollector.FlowCollectorClient(_channel);
        var queue = new FlowSendQueue(_time);
        var backoff = ReconnectBackoff.Upstream();
        long dropped = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                using var call = client.Connect(cancellationToken: cancellationToken);
                queue.Reconnected();
                bool confirmed = false;
                while (true)
                {
                    while (_incoming.Reader.TryRead(out var f))
                    {
                        queue.Enqueue(f);
                    }

                    if (queue.Dropped != dropped)
                    {
                        _metrics.Dropped("goldmane_queue_full", queue.Dropped - dropped);
                        dropped = queue.Dropped;
                    }

                    if (queue.Next() is not { } next)
                    {
                        await _incoming.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false);
                        continue;
                    }

                    await call.RequestStream.WriteAsync(new FlowUpdate { Flow = next }, cancellationToken).ConfigureAwait(false);
                    if (!await call.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false))
                    {
                        throw new RpcException(new Status(StatusCode.Unavailable, "the server ended the stream"));
                    }

                    queue.Acknowledge();
                    _metrics.GoldmaneSent();
                    if (!confirmed)
                    {
                        confirmed = true;
                        backoff.Reset();
                        _metrics.GoldmaneConnected();
                        Log.Connected(_logger, _server);
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is RpcException or IOException or HttpRequestException or InvalidOperationException)
            {
                _metrics.GoldmaneError();
                TimeSpan delay = backoff.NextDelay();
                Log.SendFailed(_logger, _server, e.Message, delay.TotalSeconds);
                await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public void Dispose() => _channel.Dispose();

    private static bool ValidateWithCa(X509Certificate? certificate, SslPolicyErrors errors, X509Certificate2Collection ca)
    {
        if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var leaf = new X509Certificate2(certificate);
        return chain.Build(leaf);
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Flow logs: connected to goldmane at {Server}")]
        public static partial void Connected(ILogger logger, string server);

        [LoggerMessage(2, LogLevel.Warning, "Flow logs: goldmane at {Server} unreachable or stream broken ({Reason}); retrying in {Seconds} s, unacknowledged and recent flows will be resent")]
        public static partial void SendFailed(ILogger logger, string server, string reason, double seconds);
    }
}
