using System.Net.Sockets;
using System.Text;

namespace Calico.Ctl.Tests;

/// <summary>A stand-in BIRD control socket: greets, reads one command, answers with canned lines.</summary>
internal sealed class NodeStatusFakeBird : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly Task _serving;

    public NodeStatusFakeBird(string socketPath, string reply)
    {
        SocketPath = socketPath;
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(socketPath));
        _listener.Listen(1);
        _serving = ServeAsync(reply);
    }

    public string SocketPath { get; }

    public string? ReceivedCommand { get; private set; }

    public async ValueTask DisposeAsync()
    {
        _listener.Dispose();
        try
        {
            await _serving;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // Listener closed before a client came: nothing to serve.
        }
    }

    private async Task ServeAsync(string reply)
    {
        using var client = await _listener.AcceptAsync();
        await using var stream = new NetworkStream(client);
        using var reader = new StreamReader(stream, Encoding.ASCII);
        await stream.WriteAsync(Encoding.ASCII.GetBytes("0001 BIRD 2.0.12 ready.\n"));
        ReceivedCommand = await reader.ReadLineAsync();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(reply));
    }
}
