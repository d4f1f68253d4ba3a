using System.Buffers;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Calico.Observability.Http;

public sealed partial class HttpEndpointServer
{
    // Never throws: every failure of one connection ends that connection only.
    private async Task ServeConnectionAsync(Socket connection, CancellationToken stopping)
    {
        using var socket = connection;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        timeout.CancelAfter(RequestReadTimeout);
        var buffer = ArrayPool<byte>.Shared.Rent(MaxHeadBytes);
        try
        {
            var (response, isHead) = await ReadAndHandleAsync(socket, buffer, timeout.Token).ConfigureAwait(false);
            if (response is not null)
            {
                await SendAsync(socket, response, isHead, timeout.Token).ConfigureAwait(false);
                socket.Shutdown(SocketShutdown.Send);
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            LogConnectionFailed(_logger, e);
        }
        catch (Exception e)
        {
            // A bug here must not fault an unobserved task silently, nor reach the accept loop.
            LogConnectionError(_logger, e);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task<(HttpResponse? Response, bool IsHead)> ReadAndHandleAsync(Socket socket, byte[] buffer, CancellationToken cancellationToken)
    {
        var received = 0;
        int headLength;
        while ((headLength = HttpRequestParser.HeadLength(buffer.AsSpan(0, received))) < 0)
        {
            if (received == MaxHeadBytes)
            {
                return (HttpResponse.Text(431, "request head too large\n"), false);
            }
            var read = await socket.ReceiveAsync(buffer.AsMemory(received, MaxHeadBytes - received), SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return (null, false); // The client went away before finishing its request.
            }
            received += read;
        }

        var request = HttpRequestParser.TryParse(buffer.AsSpan(0, headLength), out var error);
        if (request is null)
        {
            return (HttpResponse.Text(400, error + "\n"), false);
        }
        var isHead = request.Method == "HEAD";
        return (await HandleAsync(request, cancellationToken).ConfigureAwait(false), isHead);
    }

    private async ValueTask<HttpResponse> HandleAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.Method is not ("GET" or "HEAD"))
        {
            return HttpResponse.Text(405, "method not allowed\n");
        }
        if (!_routes.TryGetValue(request.Path, out var handler))
        {
            return HttpResponse.Text(404, "not found\n");
        }
        try
        {
            return await handler(request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogHandlerFailed(_logger, request.Path, e);
            return HttpResponse.Text(500, "internal error: " + e.Message + "\n");
        }
    }

    private static async Task SendAsync(Socket socket, HttpResponse response, bool isHead, CancellationToken cancellationToken)
    {
        var head = new StringBuilder()
            .Append("HTTP/1.1 ").Append(response.StatusCode).Append(' ').Append(ReasonPhrase(response.StatusCode)).Append("\r\n")
            .Append("Content-Type: ").Append(response.ContentType).Append("\r\n")
            .Append("Content-Length: ").Append(response.Body.Length).Append("\r\n");
        if (response.StatusCode == 405)
        {
            head.Append("Allow: GET, HEAD\r\n");
        }
        head.Append("Connection: close\r\n\r\n");

        await SendAllAsync(socket, Encoding.ASCII.GetBytes(head.ToString()), cancellationToken).ConfigureAwait(false);
        if (!isHead)
        {
            await SendAllAsync(socket, response.Body, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task SendAllAsync(Socket socket, ReadOnlyMemory<byte> remaining, CancellationToken cancellationToken)
    {
        while (!remaining.IsEmpty)
        {
            var sent = await socket.SendAsync(remaining, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            remaining = remaining[sent..];
        }
    }

    private static string ReasonPhrase(int statusCode) => statusCode switch
    {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Status",
    };
}
