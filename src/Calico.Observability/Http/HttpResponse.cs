using System.Text;

namespace Calico.Observability.Http;

/// <summary>A complete response: status, content type and body, sent with Content-Length and Connection: close.</summary>
public sealed class HttpResponse
{
    public HttpResponse(int statusCode, string contentType, ReadOnlyMemory<byte> body)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(statusCode, 100);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(statusCode, 599);
        ArgumentException.ThrowIfNullOrEmpty(contentType);
        StatusCode = statusCode;
        ContentType = contentType;
        Body = body;
    }

    public const string PlainText = "text/plain; charset=utf-8";
    public const string Json = "application/json";

    public int StatusCode { get; }
    public string ContentType { get; }
    public ReadOnlyMemory<byte> Body { get; }

    public static HttpResponse Text(int statusCode, string text) => new(statusCode, PlainText, Encoding.UTF8.GetBytes(text));
}
