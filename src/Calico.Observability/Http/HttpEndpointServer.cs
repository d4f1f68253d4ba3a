using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Calico.Observability.Http;

/// <summary>
/// A minimal HTTP/1.1 server for the health and metrics ports: GET and HEAD on fixed paths, one request per
/// connection. Raw sockets rather than Kestrel keep the AOT binary small; these endpoints see a few
/// requests a minute from kubelet and Prometheus.
/// </summary>
public sealed partial class HttpEndpointServer : IAsyncDisposable
{
    private const int MaxHeadBytes = 8192;
    private const int SolSocket = 1;
    private const int SoReuseAddr = 2;
    private static readonly TimeSpan RequestReadTimeout = TimeSpan.FromSeconds(10);

    private readonly Socket[] _listeners;
    private readonly IReadOnlyDictionary<string, HttpHandler> _routes;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<Task, byte> _connections = new();
    private int _disposed;

    private HttpEndpointServer(Socket[] listeners, IReadOnlyDictionary<string, HttpHandler> routes, ILogger logger)
    {
        _listeners = listeners;
        _routes = routes;
        _logger = logger;
        LocalEndpoints = [.. listeners.Select(socket => (IPEndPoint)socket.LocalEndPoint!)];
    }

    /// <summary>Every address:port actually bound (port 0 becomes the kernel's choice, the same on every address).</summary>
    public IReadOnlyList<IPEndPoint> LocalEndpoints { get; }

    public int Port => LocalEndpoints[0].Port;

    /// <summary>Binds now, so a taken port fails at start-up with <see cref="HttpBindException"/>; serve with <see cref="RunAsync"/>.</summary>
    public static HttpEndpointServer Bind(string host, int port, IReadOnlyDictionary<string, HttpHandler> routes, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(routes);
        if (port is < 0 or > IPEndPoint.MaxPort)
        {
            throw new HttpBindException(host, port, "port out of range");
        }

        IReadOnlyList<(IPAddress Address, bool Optional)> addresses;
        try
        {
            addresses = ListenAddresses.Resolve(host);
        }
        catch (SocketException e)
        {
            throw new HttpBindException(host, port, "cannot resolve host: " + e.Message, e);
        }
        if (addresses.Count == 0)
        {
            throw new HttpBindException(host, port, "host resolves to no address");
        }

        var bound = new List<Socket>();
        var boundPort = port;
        try
        {
            foreach (var (address, optional) in addresses)
            {
                var socket = TryListen(address, boundPort, optional, host, port);
                if (socket is not null)
                {
                    bound.Add(socket);
                    boundPort = ((IPEndPoint)socket.LocalEndPoint!).Port;
                }
            }
        }
        catch
        {
            foreach (var socket in bound)
            {
                socket.Dispose();
            }
            throw;
        }
        return new HttpEndpointServer([.. bound], routes, logger ?? NullLogger.Instance);
    }

    private static Socket? TryListen(IPAddress address, int port, bool optional, string host, int configuredPort)
    {
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (address.Equals(IPAddress.IPv6Any))
            {
                socket.DualMode = true;
            }
            // Plain SO_REUSEADDR so a restart can bind over TIME_WAIT connections. .NET's ReuseAddress also
            // sets SO_REUSEPORT on Linux, which would let a second agent silently share the port.
            socket.SetRawSocketOption(SolSocket, SoReuseAddr, BitConverter.GetBytes(1));
            socket.Bind(new IPEndPoint(address, port));
            socket.Listen(64);
            return socket;
        }
        catch (SocketException e)
        {
            socket.Dispose();
            // ::1 is "when available": a host or namespace without IPv6 loopback still serves on 127.0.0.1.
            if (optional && e.SocketErrorCode is SocketError.AddressNotAvailable or SocketError.AddressFamilyNotSupported)
            {
                return null;
            }
            throw new HttpBindException(host, configuredPort, $"bind {address} failed: {e.Message}", e);
        }
    }

    /// <summary>Accepts and serves until cancelled, then closes the listeners and waits for requests in flight.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var acceptLoops = _listeners.Select(listener => AcceptLoopAsync(listener, cancellationToken)).ToArray();
        try
        {
            await Task.WhenAll(acceptLoops).ConfigureAwait(false);
        }
        finally
        {
            await DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task AcceptLoopAsync(Socket listener, CancellationToken cancellationToken)
    {
        using var registration = cancellationToken.Register(static state => ((Socket)state!).Dispose(), listener);
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket connection;
            try
            {
                connection = await listener.AcceptAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception) when (cancellationToken.IsCancellationRequested || Volatile.Read(ref _disposed) != 0)
            {
                return; // Stopping: the listener was closed under the pending accept.
            }
            catch (SocketException e)
            {
                // Resource exhaustion (EMFILE) or a reset before accept: log, keep serving.
                LogAcceptFailed(_logger, e);
                continue;
            }

            var served = ServeConnectionAsync(connection, cancellationToken);
            _connections.TryAdd(served, 0);
            _ = served.ContinueWith(
                static (task, state) => ((ConcurrentDictionary<Task, byte>)state!).TryRemove(task, out _),
                _connections,
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        foreach (var listener in _listeners)
        {
            listener.Dispose();
        }
        await Task.WhenAll(_connections.Keys).ConfigureAwait(false);
    }

    [LoggerMessage(EventId = 9001, Level = LogLevel.Warning, Message = "Accepting an HTTP connection failed")]
    private static partial void LogAcceptFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 9002, Level = LogLevel.Debug, Message = "HTTP connection ended early")]
    private static partial void LogConnectionFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 9004, Level = LogLevel.Warning, Message = "HTTP connection failed unexpectedly")]
    private static partial void LogConnectionError(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 9003, Level = LogLevel.Error, Message = "HTTP handler for {Path} failed")]
    private static partial void LogHandlerFailed(ILogger logger, string path, Exception exception);
}
