using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Calico.Observability.Tests;

/// <summary>Sends exact request bytes over a real socket and reads the whole response (the server closes).</summary>
internal static class RawHttp
{
    public static async Task<RawResponse> SendAsync(int port, string request, IPAddress? address = null)
    {
        using var client = new TcpClient(address?.AddressFamily ?? AddressFamily.InterNetwork);
        await client.ConnectAsync(address ?? IPAddress.Loopback, port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        using var received = new MemoryStream();
        await stream.CopyToAsync(received);
        return RawResponse.Parse(Encoding.UTF8.GetString(received.ToArray()));
    }

    public static Task<RawResponse> GetAsync(int port, string target, string method = "GET", string extraHeaders = "") =>
        SendAsync(port, $"{method} {target} HTTP/1.1\r\nHost: localhost\r\n{extraHeaders}\r\n");
}

internal sealed record RawResponse(int StatusCode, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public static RawResponse Parse(string text)
    {
        var split = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        Assert.True(split > 0, "response has no head: " + text);
        var lines = text[..split].Split("\r\n");
        var status = int.Parse(lines[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            headers[line[..colon]] = line[(colon + 1)..].Trim();
        }
        return new RawResponse(status, headers, text[(split + 4)..]);
    }
}
