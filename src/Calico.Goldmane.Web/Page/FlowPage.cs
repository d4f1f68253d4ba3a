using Microsoft.AspNetCore.Http;

namespace Calico.Goldmane.Web.Page;

/// <summary>
/// The live flow page: static HTML, CSS and plain JavaScript embedded in this assembly (no build step, no front-end
/// dependency), answered from memory. The page itself reads the whisker-backend API beside it.
/// </summary>
internal static class FlowPage
{
    /// <summary>Served path (relative to the page, so a path prefix in front of the port still works) to resource and type.</summary>
    public static readonly IReadOnlyList<(string Path, string Resource, string ContentType)> Assets =
    [
        ("/", "index.html", "text/html; charset=utf-8"),
        ("/ui/flows.js", "flows.js", "text/javascript; charset=utf-8"),
        ("/ui/flows.css", "flows.css", "text/css; charset=utf-8"),
    ];

    private static readonly Dictionary<string, byte[]> Cache = new(StringComparer.Ordinal);
    private static readonly Lock CacheLock = new();

    public static async Task ServeAsync(HttpContext context, string resource, string contentType)
    {
        ArgumentNullException.ThrowIfNull(context);
        byte[] body = Load(resource);
        context.Response.ContentType = contentType;
        context.Response.Headers.CacheControl = "no-cache";
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
    }

    public static byte[] Load(string resource)
    {
        lock (CacheLock)
        {
            if (Cache.TryGetValue(resource, out byte[]? cached))
            {
                return cached;
            }

            string name = "Calico.Goldmane.Web.Page." + resource;
            using var stream = typeof(FlowPage).Assembly.GetManifestResourceStream(name)
                ?? throw new InvalidOperationException($"embedded resource {name} is missing from Calico.Goldmane.Web");
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            byte[] body = copy.ToArray();
            Cache[resource] = body;
            return body;
        }
    }
}
