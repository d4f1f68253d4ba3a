using System.Text;
using Calico.Felix.Calc.Model;

namespace Calico.Felix.Rules;

/// <summary>
/// Renders the calculation graph's <see cref="DataplaneState"/> as one <c>nft -f</c> transaction that atomically
/// replaces <c>table inet calico</c>. Pure and deterministic: every collection is sorted ordinally before it is
/// written, so equal states give byte-equal text.
/// </summary>
public static partial class NftablesRenderer
{
    public static string Render(DataplaneState state, RenderConfig config)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();

        var ctx = new RenderContext(state, config);
        var sb = new StringBuilder(4096);
        // "add table" makes the delete succeed on a host without the table; the three commands are one transaction.
        sb.Append("table inet ").Append(NftNames.TableName).Append('\n');
        sb.Append("delete table inet ").Append(NftNames.TableName).Append('\n');
        sb.Append("table inet ").Append(NftNames.TableName).Append(" {\n");

        List<(string Iface, EndpointIntent Endpoint)> endpoints = SelectEndpoints(state);
        AppendIpSets(sb, state);
        AppendDispatchMaps(sb, endpoints);
        AppendBaseChains(sb, ctx);
        AppendDispatchChains(sb);
        foreach (var (iface, endpoint) in endpoints)
        {
            AppendEndpointChain(sb, ctx, NftNames.FromWorkloadChain(iface), endpoint, inbound: false);
            AppendEndpointChain(sb, ctx, NftNames.ToWorkloadChain(iface), endpoint, inbound: true);
        }

        AppendPolicyChains(sb, ctx);
        AppendProfileChains(sb, ctx);
        if (sb[^1] == '\n' && sb[^2] == '\n')
        {
            sb.Length--;
        }

        sb.Append("}\n");
        return sb.ToString();
    }

    /// <summary>
    /// Workload endpoints with a usable interface name, sorted by it. Host endpoints are not rendered yet; an
    /// endpoint whose interface name nft cannot carry, or whose name an earlier endpoint (by key) already took, is
    /// left out, so its traffic meets the "unknown interface" drop.
    /// </summary>
    private static List<(string Iface, EndpointIntent Endpoint)> SelectEndpoints(DataplaneState state)
    {
        var byIface = new SortedDictionary<string, EndpointIntent>(StringComparer.Ordinal);
        var keys = new List<EndpointKey>(state.Endpoints.Keys);
        keys.Sort(static (a, b) => string.CompareOrdinal(a.ToString(), b.ToString()));
        foreach (EndpointKey key in keys)
        {
            EndpointIntent endpoint = state.Endpoints[key];
            string? iface = endpoint.InterfaceName;
            if (key.IsHostEndpoint || iface is null || iface.Length > 15 || !NftNames.IsSafeName(iface))
            {
                continue;
            }

            byIface.TryAdd(iface, endpoint);
        }

        var result = new List<(string, EndpointIntent)>(byIface.Count);
        foreach (var (iface, endpoint) in byIface)
        {
            result.Add((iface, endpoint));
        }

        return result;
    }

    private static void AppendDispatchMaps(StringBuilder sb, List<(string Iface, EndpointIntent Endpoint)> endpoints)
    {
        AppendDispatchMap(sb, NftNames.FromWorkloadDispatch, endpoints, fromWorkload: true);
        AppendDispatchMap(sb, NftNames.ToWorkloadDispatch, endpoints, fromWorkload: false);
    }

    private static void AppendDispatchMap(StringBuilder sb, string name, List<(string Iface, EndpointIntent Endpoint)> endpoints, bool fromWorkload)
    {
        sb.Append("\tmap ").Append(name).Append(" {\n\t\ttype ifname : verdict\n");
        if (endpoints.Count > 0)
        {
            sb.Append("\t\telements = {\n");
            for (int i = 0; i < endpoints.Count; i++)
            {
                string iface = endpoints[i].Iface;
                // goto, not jump: an endpoint chain that returns (allowed) must leave the dispatch chain too, or it
                // would fall into the "unknown interface" drop.
                sb.Append("\t\t\t\"").Append(iface).Append("\" : goto ")
                    .Append(fromWorkload ? NftNames.FromWorkloadChain(iface) : NftNames.ToWorkloadChain(iface))
                    .Append(i + 1 < endpoints.Count ? ",\n" : "\n");
            }

            sb.Append("\t\t}\n");
        }

        sb.Append("\t}\n\n");
    }

    private static void OpenChain(StringBuilder sb, string name, string? note = null)
    {
        if (note is not null)
        {
            sb.Append("\t# ").Append(NftNames.CommentText(note, 200)).Append('\n');
        }

        sb.Append("\tchain ").Append(name).Append(" {\n");
    }

    private static void CloseChain(StringBuilder sb) => sb.Append("\t}\n\n");

    /// <summary>Starts a rule line (tab-indented inside a chain).</summary>
    private static StringBuilder Rule(StringBuilder sb) => sb.Append("\t\t");

    private static void Comment(StringBuilder sb, string text) =>
        sb.Append(" comment \"").Append(NftNames.CommentText(text)).Append('"');
}
