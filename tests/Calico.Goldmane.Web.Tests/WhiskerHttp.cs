using System.Text;
using Calico.Goldmane.Api;
using Calico.Goldmane.Web.Whisker;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging.Abstractions;

namespace Calico.Goldmane.Web.Tests;

/// <summary>Runs a whisker API handler in-process on a DefaultHttpContext (no socket) and returns status, type and body.</summary>
internal static class WhiskerHttp
{
    public static async Task<(int Status, string? ContentType, string Body)> GetAsync(IFlowSource source, string pathAndQuery)
    {
        int q = pathAndQuery.IndexOf('?', StringComparison.Ordinal);
        string path = q < 0 ? pathAndQuery : pathAndQuery[..q];
        var context = new DefaultHttpContext();
        context.Request.Method = "GET";
        context.Request.Path = path;
        if (q >= 0)
        {
            context.Request.QueryString = new QueryString(pathAndQuery[q..]);
            context.Request.Query = new QueryCollection(QueryHelpers.ParseQuery(pathAndQuery[q..]));
        }

        using var body = new MemoryStream();
        context.Response.Body = body;
        if (path == "/flows")
        {
            await WhiskerApi.FlowsAsync(context, source, NullLogger.Instance);
        }
        else
        {
            await WhiskerApi.FilterHintsAsync(context, source, NullLogger.Instance);
        }

        return (context.Response.StatusCode, context.Response.ContentType, Encoding.UTF8.GetString(body.ToArray()));
    }
}
