using System.Net;
using System.Net.Sockets;
using Calico.Observability.Http;

namespace Calico.Observability.Tests.Http;

[Trait("Tier", "Unit")]
public sealed class HttpEndpointServerTests
{
    private static readonly Dictionary<string, HttpHandler> Routes = new()
    {
        ["/hello"] = (_, _) => ValueTask.FromResult(HttpResponse.Text(200, "hello\n")),
        ["/query"] = (request, _) => ValueTask.FromResult(HttpResponse.Text(200, $"format={request.QueryParameter("format")} accept={request.Header("accept")}")),
        ["/boom"] = (_, _) => throw new InvalidOperationException("handler exploded"),
    };

    [Fact]
    public async Task Get_KnownPath_ReturnsHandlerResponse()
    {
        await using var server = new RunningServer(Routes);

        var response = await RawHttp.GetAsync(server.Port, "/hello");

        Assert.Equal(200, response.StatusCode);
        Assert.Equal("hello\n", response.Body);
        Assert.Equal("6", response.Headers["Content-Length"]);
        Assert.Equal("text/plain; charset=utf-8", response.Headers["Content-Type"]);
        Assert.Equal("close", response.Headers["Connection"]);
    }

    [Fact]
    public async Task Get_WithQueryAndHeaders_HandlerSeesThem()
    {
        await using var server = new RunningServer(Routes);

        var response = await RawHttp.GetAsync(server.Port, "/query?x=1&format=json", extraHeaders: "Accept: application/json\r\n");

        Assert.Equal("format=json accept=application/json", response.Body);
    }

    [Fact]
    public async Task Head_KnownPath_SendsHeadersWithoutBody()
    {
        await using var server = new RunningServer(Routes);

        var response = await RawHttp.GetAsync(server.Port, "/hello", method: "HEAD");

        Assert.Equal(200, response.StatusCode);
        Assert.Equal("6", response.Headers["Content-Length"]);
        Assert.Equal(string.Empty, response.Body);
    }

    [Theory]
    [InlineData("POST")]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    public async Task OtherMethod_Returns405WithAllow(string method)
    {
        await using var server = new RunningServer(Routes);

        var response = await RawHttp.GetAsync(server.Port, "/hello", method: method);

        Assert.Equal(405, response.StatusCode);
        Assert.Equal("GET, HEAD", response.Headers["Allow"]);
    }

    [Fact]
    public async Task UnknownPath_Returns404()
    {
        await using var server = new RunningServer(Routes);

        var response = await RawHttp.GetAsync(server.Port, "/nope");

        Assert.Equal(404, response.StatusCode);
    }

    [Theory]
    [InlineData("GARBAGE\r\n\r\n")]
    [InlineData("GET /hello\r\n\r\n")]
    [InlineData("GET hello HTTP/1.1\r\n\r\n")]
    [InlineData("GET /hello HTTP/2.0\r\n\r\n")]
    [InlineData("GET /hello HTTP/1.1\r\nno colon here\r\n\r\n")]
    public async Task MalformedRequest_Returns400(string request)
    {
        await using var server = new RunningServer(Routes);

        var response = await RawHttp.SendAsync(server.Port, request);

        Assert.Equal(400, response.StatusCode);
    }

    [Fact]
    public async Task OversizedHead_Returns431()
    {
        await using var server = new RunningServer(Routes);

        // Exactly the limit and no blank line: the server reads everything sent, so it closes with FIN, not RST.
        const string Start = "GET /hello HTTP/1.1\r\nX-Big: ";
        var response = await RawHttp.SendAsync(server.Port, Start + new string('a', 8192 - Start.Length));

        Assert.Equal(431, response.StatusCode);
    }

    [Fact]
    public async Task HandlerThrows_Returns500AndKeepsServing()
    {
        await using var server = new RunningServer(Routes);

        var failed = await RawHttp.GetAsync(server.Port, "/boom");
        var next = await RawHttp.GetAsync(server.Port, "/hello");

        Assert.Equal(500, failed.StatusCode);
        Assert.Contains("handler exploded", failed.Body, StringComparison.Ordinal);
        Assert.Equal(200, next.StatusCode);
    }

    [Fact]
    public async Task ClientClosesBeforeRequestEnds_KeepsServing()
    {
        await using var server = new RunningServer(Routes);
        using (var client = new TcpClient())
        {
            await client.ConnectAsync(IPAddress.Loopback, server.Port);
            await client.GetStream().WriteAsync("GET /hel"u8.ToArray());
        }

        var response = await RawHttp.GetAsync(server.Port, "/hello");

        Assert.Equal(200, response.StatusCode);
    }

    [Fact]
    public async Task HttpClient_Get_Works()
    {
        await using var server = new RunningServer(Routes);
        using var client = new HttpClient();

        var body = await client.GetStringAsync(new Uri($"http://127.0.0.1:{server.Port}/hello"));

        Assert.Equal("hello\n", body);
    }

    [Fact]
    public async Task Bind_PortInUse_ThrowsNamingHostAndPort()
    {
        await using var first = new RunningServer(Routes);

        var error = Assert.Throws<HttpBindException>(() => HttpEndpointServer.Bind("127.0.0.1", first.Port, Routes));

        Assert.Equal("127.0.0.1", error.Host);
        Assert.Equal(first.Port, error.Port);
        Assert.Contains($"host \"127.0.0.1\" port {first.Port}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bind_UnresolvableHost_ThrowsNamingHost()
    {
        var error = Assert.Throws<HttpBindException>(() => HttpEndpointServer.Bind("no-such-host.invalid", 0, Routes));

        Assert.Contains("no-such-host.invalid", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bind_Localhost_ServesIPv4LoopbackAndIPv6WhenAvailable()
    {
        await using var server = new RunningServer(Routes, host: "localhost");

        Assert.Contains(server.Server.LocalEndpoints, endpoint => endpoint.Address.Equals(IPAddress.Loopback));
        Assert.All(server.Server.LocalEndpoints, endpoint => Assert.Equal(server.Port, endpoint.Port));
        foreach (var endpoint in server.Server.LocalEndpoints)
        {
            var response = await RawHttp.SendAsync(endpoint.Port, "GET /hello HTTP/1.1\r\n\r\n", endpoint.Address);
            Assert.Equal(200, response.StatusCode);
        }
    }

    [Fact]
    public async Task Bind_EmptyHost_ServesAllAddresses()
    {
        await using var server = new RunningServer(Routes, host: "");

        var response = await RawHttp.GetAsync(server.Port, "/hello");

        Assert.Equal(200, response.StatusCode);
    }

    [Fact]
    public async Task RunAsync_Cancelled_StopsListening()
    {
        var server = new RunningServer(Routes);
        var port = server.Port;

        await server.DisposeAsync();

        Assert.True(server.Running.IsCompletedSuccessfully);
        using var client = new TcpClient();
        await Assert.ThrowsAsync<SocketException>(() => client.ConnectAsync(IPAddress.Loopback, port));
    }
}
