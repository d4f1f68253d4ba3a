using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace Calico.Bird.Control;

/// <summary>
/// A client for BIRD's control socket (what <c>birdc</c> speaks): one connection, one command at a time, replies
/// read line by line until the final code. No process per call, so calico-node can poll it and reload through it.
/// </summary>
public sealed partial class BirdControl : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly StreamReader _reader;
    private readonly SemaphoreSlim _oneCommand = new(1, 1);

    private BirdControl(Socket socket, string greeting)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: false);
        _reader = new StreamReader(_stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: false);
        Greeting = greeting;
    }

    /// <summary>BIRD's greeting without its code, e.g. <c>BIRD 2.0.12 ready.</c></summary>
    public string Greeting { get; private set; }

    /// <summary>Connects and reads the greeting (<c>0001 BIRD x.y ready.</c>).</summary>
    public static async Task<BirdControl> ConnectAsync(string socketPath, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(socketPath);
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        BirdControl? control = null;
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken).ConfigureAwait(false);
            control = new BirdControl(socket, "");
            var greeting = await control.ReadReplyAsync(cancellationToken).ConfigureAwait(false);
            if (greeting.FinalCode != 1)
            {
                throw new BirdControlException($"unexpected greeting from BIRD at {socketPath}: {greeting.Text}");
            }

            control.Greeting = greeting.Text;
            return control;
        }
        catch (SocketException e)
        {
            await DisposeOnFailureAsync(control, socket).ConfigureAwait(false);
            throw new BirdControlException($"unable to connect to BIRD socket {socketPath}: {e.Message}", e);
        }
        catch
        {
            await DisposeOnFailureAsync(control, socket).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Sends one command line and reads its whole reply.</summary>
    public async Task<BirdReply> SendAsync(string command, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(command);
        if (command.Contains('\n', StringComparison.Ordinal))
        {
            throw new ArgumentException("a BIRD command is one line", nameof(command));
        }

        await _oneCommand.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _stream.WriteAsync(Encoding.UTF8.GetBytes(command + "\n"), cancellationToken).ConfigureAwait(false);
            return await ReadReplyAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _oneCommand.Release();
        }
    }

    /// <summary><c>show protocols</c>, parsed.</summary>
    public async Task<IReadOnlyList<BirdProtocolStatus>> ShowProtocolsAsync(CancellationToken cancellationToken) =>
        BirdProtocolTable.Parse(await SendAsync("show protocols", cancellationToken).ConfigureAwait(false));

    /// <summary>
    /// <c>configure</c>: re-reads the configuration file BIRD was started with; sessions whose configuration did not
    /// change stay up. A bad file is reported, not thrown: BIRD goes on with the old configuration.
    /// </summary>
    public async Task<BirdConfigureResult> ConfigureAsync(CancellationToken cancellationToken)
    {
        var reply = await SendAsync("configure", cancellationToken).ConfigureAwait(false);
        return new BirdConfigureResult(!reply.IsError, reply.Lines.Count == 0 ? "" : reply.Lines[^1].Text);
    }

    /// <summary>
    /// <c>configure "file"</c>: BIRD reads <paramref name="path"/> (one parse) and, when it is valid, runs it as
    /// <c>configure</c> would; a bad file is reported, not thrown, and BIRD goes on with what it runs. BIRD's own
    /// configuration file name (what a later plain <c>configure</c> or SIGHUP reads) does not change.
    /// </summary>
    public async Task<BirdConfigureResult> ConfigureAsync(string path, CancellationToken cancellationToken)
    {
        var reply = await SendAsync("configure " + Quoted(path), cancellationToken).ConfigureAwait(false);
        return new BirdConfigureResult(!reply.IsError, reply.Lines.Count == 0 ? "" : reply.Lines[^1].Text);
    }

    /// <summary>
    /// <c>configure check "file"</c>: BIRD parses <paramref name="path"/> as it would on <c>configure</c> but keeps
    /// running what it has. The same check as <c>bird -p</c>, without a process.
    /// </summary>
    public async Task<BirdConfigureResult> CheckConfigurationAsync(string path, CancellationToken cancellationToken)
    {
        var reply = await SendAsync("configure check " + Quoted(path), cancellationToken).ConfigureAwait(false);
        return new BirdConfigureResult(!reply.IsError, reply.Lines.Count == 0 ? "" : reply.Lines[^1].Text);
    }

    private static string Quoted(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (path.Contains('"', StringComparison.Ordinal))
        {
            throw new ArgumentException($"a configuration path BIRD can be given may not contain '\"': {path}", nameof(path));
        }

        return "\"" + path + "\"";
    }

    /// <summary><c>show route count</c>: one entry per routing table.</summary>
    public async Task<IReadOnlyList<BirdRouteCount>> ShowRouteCountAsync(CancellationToken cancellationToken)
    {
        var reply = await SendAsync("show route count", cancellationToken).ConfigureAwait(false);
        if (reply.IsError)
        {
            throw new BirdControlException("BIRD refused 'show route count': " + reply.Text);
        }

        var counts = new List<BirdRouteCount>();
        foreach (var line in reply.Lines)
        {
            var match = RouteCountLine().Match(line.Text.Trim());
            if (match.Success)
            {
                counts.Add(new BirdRouteCount(
                    match.Groups["table"].Value,
                    int.Parse(match.Groups["routes"].Value, CultureInfo.InvariantCulture),
                    int.Parse(match.Groups["networks"].Value, CultureInfo.InvariantCulture)));
            }
        }

        return counts;
    }

    public async ValueTask DisposeAsync()
    {
        _reader.Dispose();
        await _stream.DisposeAsync().ConfigureAwait(false);
        _socket.Dispose();
        _oneCommand.Dispose();
    }

    private async Task<BirdReply> ReadReplyAsync(CancellationToken cancellationToken)
    {
        var assembler = new BirdReplyReader();
        while (true)
        {
            var line = await _reader.ReadLineAsync(cancellationToken).ConfigureAwait(false)
                ?? throw new BirdControlException("BIRD closed the control socket mid-reply");
            if (assembler.Add(line))
            {
                return assembler.Take();
            }
        }
    }

    private static async ValueTask DisposeOnFailureAsync(BirdControl? control, Socket socket)
    {
        if (control is not null)
        {
            await control.DisposeAsync().ConfigureAwait(false);
        }
        else
        {
            socket.Dispose();
        }
    }

    [GeneratedRegex(@"^\d+ of (?<routes>\d+) routes for (?<networks>\d+) networks in table (?<table>\S+)$")]
    private static partial Regex RouteCountLine();
}
