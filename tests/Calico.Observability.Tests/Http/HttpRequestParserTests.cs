using System.Text;
using Calico.Observability.Http;

namespace Calico.Observability.Tests.Http;

[Trait("Tier", "Unit")]
public sealed class HttpRequestParserTests
{
    [Fact]
    public void TryParse_FullHead_SplitsPathQueryAndHeaders()
    {
        var head = Encoding.ASCII.GetBytes("GET /readiness?format=json HTTP/1.1\r\nHost: x\r\naccept:  application/json \r\nX-A: 1\r\nx-a: 2\r\n\r\n");

        var request = HttpRequestParser.TryParse(head, out _);

        Assert.NotNull(request);
        Assert.Equal("GET", request.Method);
        Assert.Equal("/readiness", request.Path);
        Assert.Equal("format=json", request.Query);
        Assert.Equal("json", request.QueryParameter("format"));
        Assert.Null(request.QueryParameter("missing"));
        Assert.Equal("application/json", request.Header("Accept"));
        Assert.Equal("1, 2", request.Header("X-A"));
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\n\r\n", 18)]
    [InlineData("GET / HTTP/1.1\r\n", -1)]
    [InlineData("", -1)]
    public void HeadLength_FindsBlankLine(string received, int expected) =>
        Assert.Equal(expected, HttpRequestParser.HeadLength(Encoding.ASCII.GetBytes(received)));

    [Theory]
    [InlineData(" / HTTP/1.1\r\n\r\n", "malformed request line")]
    [InlineData("GET / HTTP/1.1 extra\r\n\r\n", "malformed request line")]
    [InlineData("GET / SPDY/3\r\n\r\n", "unsupported protocol version")]
    [InlineData("GET * HTTP/1.1\r\n\r\n", "request target must be an absolute path")]
    [InlineData("GET / HTTP/1.1\r\nBad Name: x\r\n\r\n", "malformed header line")]
    public void TryParse_Malformed_ReturnsError(string head, string expectedError)
    {
        var request = HttpRequestParser.TryParse(Encoding.ASCII.GetBytes(head), out var error);

        Assert.Null(request);
        Assert.Equal(expectedError, error);
    }
}
