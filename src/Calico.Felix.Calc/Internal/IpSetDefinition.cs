using Calico.Selectors.Hashing;
using System.Text;
using Calico.Felix.Calc.Model;
using Calico.Selectors;

namespace Calico.Felix.Calc.Internal;

/// <summary>
/// An IP set a rule needs (upstream <c>IPSetData</c>): a selector's members, or, for a named port, the
/// "ip,proto:port" members of the selector's endpoints that have that port. <see cref="NamedPortProtocol"/> is
/// "tcp", "udp", "sctp" or "any" (the rule gave no protocol).
/// </summary>
internal sealed class IpSetDefinition
{
    private IpSetDefinition(string id, Selector selector, string? namedPort, string? namedPortProtocol)
    {
        Id = id;
        Selector = selector;
        NamedPort = namedPort;
        NamedPortProtocol = namedPortProtocol;
    }

    public string Id { get; }

    public Selector Selector { get; }

    public string? NamedPort { get; }

    public string? NamedPortProtocol { get; }

    public IpSetType Type => NamedPort is null ? IpSetType.Net : IpSetType.IpPort;

    public static IpSetDefinition ForSelector(Selector selector) => new(selector.UniqueId, selector, null, null);

    public static IpSetDefinition ForNamedPort(Selector selector, string protocol, string port) =>
        new(NamedPortId(selector, protocol, port), selector, port, protocol);

    /// <summary>Upstream's <c>hash.MakeUniqueID("n", selectorUID + "," + proto + "," + port)</c>.</summary>
    public static string NamedPortId(Selector selector, string protocol, string port)
    {
        var content = "n:" + selector.UniqueId + "," + protocol + "," + port;
        var hash = Sha224.HashData(Encoding.UTF8.GetBytes(content));
        return "n:" + Convert.ToBase64String(hash).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }
}
