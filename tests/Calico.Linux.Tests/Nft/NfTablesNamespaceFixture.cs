using System.Text;
using System.Text.Json;
using Calico.Linux.Nft;
using Calico.TestKit;

namespace Calico.Linux.Tests.Nft;

/// <summary>
/// One namespace per test class holding <c>table inet calico</c>, and a netlink set-element writer opened inside
/// it. Tests declare their own uniquely named sets, so they do not see each other's elements.
/// </summary>
public sealed class NfTablesNamespaceFixture : IAsyncLifetime
{
    private NetnsScope? _scope;
    private NfTablesSetElements? _elements;

    public NetnsScope Scope => _scope ?? throw new InvalidOperationException("fixture not initialised");

    public NfTablesSetElements Elements => _elements ?? throw new InvalidOperationException("fixture not initialised");

    public async Task InitializeAsync()
    {
        Prerequisites.Require("nft");
        _scope = new NetnsScope("calt-nfe");
        await NftRunner.ApplyInAsync(_scope.Path, "table inet calico {\n}\n", CancellationToken.None);
        _elements = await NfTablesSetElements.OpenInAsync(_scope.Path, CancellationToken.None);
    }

    public Task DisposeAsync()
    {
        _elements?.Dispose();
        _scope?.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>Declares sets the way Calico.Felix.Rules renders them, e.g. ("cali40s_a", "type ipv4_addr; flags interval;").</summary>
    public Task DeclareAsync(params (string Name, string Body)[] sets)
    {
        var script = new StringBuilder("table inet calico {\n");
        foreach ((string name, string body) in sets)
        {
            script.Append("  set ").Append(name).Append(" { ").Append(body).Append(" }\n");
        }

        script.Append("}\n");
        return NftRunner.ApplyInAsync(Scope.Path, script.ToString(), CancellationToken.None);
    }

    /// <summary>The elements <c>nft -j list set</c> shows, as element text ("10.0.0.0/24", "10.0.0.1 . tcp . 80"), sorted.</summary>
    public List<string> ListElements(string set)
    {
        (int exit, string output, string error) = Scope.Exec("nft", "-j", "list", "set", "inet", "calico", set);
        if (exit != 0)
        {
            throw new InvalidOperationException($"nft list set {set}: {error}");
        }

        using JsonDocument document = JsonDocument.Parse(output);
        var elements = new List<string>();
        foreach (JsonElement item in document.RootElement.GetProperty("nftables").EnumerateArray())
        {
            if (item.TryGetProperty("set", out JsonElement declared) && declared.TryGetProperty("elem", out JsonElement members))
            {
                foreach (JsonElement member in members.EnumerateArray())
                {
                    elements.Add(Text(member));
                }
            }
        }

        elements.Sort(StringComparer.Ordinal);
        return elements;
    }

    private static string Text(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.String)
        {
            return value.GetString()!;
        }

        if (value.ValueKind == JsonValueKind.Number)
        {
            return value.GetRawText();
        }

        if (value.TryGetProperty("elem", out JsonElement element))
        {
            return Text(element.GetProperty("val"));
        }

        if (value.TryGetProperty("prefix", out JsonElement prefix))
        {
            return Text(prefix.GetProperty("addr")) + "/" + prefix.GetProperty("len").GetRawText();
        }

        if (value.TryGetProperty("range", out JsonElement range))
        {
            return Text(range[0]) + "-" + Text(range[1]);
        }

        if (value.TryGetProperty("concat", out JsonElement concat))
        {
            var parts = new List<string>();
            foreach (JsonElement part in concat.EnumerateArray())
            {
                parts.Add(Text(part));
            }

            return string.Join(" . ", parts);
        }

        return value.GetRawText();
    }
}
