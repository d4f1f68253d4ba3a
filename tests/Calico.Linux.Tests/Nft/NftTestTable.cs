using Calico.Linux.Nft;
using Calico.TestKit;

namespace Calico.Linux.Tests.Nft;

/// <summary>A throwaway namespace holding <c>table inet calico</c> with the given body, written by <c>nft -f</c>.</summary>
internal static class NftTestTable
{
    public static async Task<NetnsScope> CreateAsync(string namespacePrefix, string body = "")
    {
        Prerequisites.Require("nft");
        var scope = new NetnsScope(namespacePrefix);
        try
        {
            await NftRunner.ApplyInAsync(scope.Path, "table inet calico {\n " + body + "\n}\n", CancellationToken.None);
            return scope;
        }
        catch
        {
            scope.Dispose();
            throw;
        }
    }
}
