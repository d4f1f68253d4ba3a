using Calico.Api;
using Calico.Selectors;

namespace Calico.Bird.Rendering;

/// <summary>
/// The cluster as BGP sees it from one node: every node's BGP facts, AS numbers and listen ports with upstream's
/// fall-backs (node value, then the <c>default</c> BGPConfiguration, then 64512 / BIRD's default port).
/// </summary>
internal sealed class BgpTopology
{
    public const uint DefaultAsNumber = 64512;

    private readonly Dictionary<string, ushort> _nodeListenPorts = new(StringComparer.Ordinal);

    public BgpTopology(BirdInputs inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        Inputs = inputs;
        Nodes = inputs.Nodes.Select(BgpNode.From).OrderBy(n => n.Name, StringComparer.Ordinal).ToList();
        Self = Nodes.FirstOrDefault(n => n.Name == inputs.NodeName)
            ?? throw new BirdInputException("NodeName", inputs.NodeName, "no Node resource with this name");
        if (Self.Ipv4 is null && Self.Ipv6 is null)
        {
            throw new BirdInputException("Node.spec.bgp.ipv4Address", inputs.NodeName, "the node has no BGP IPv4 or IPv6 address");
        }

        GlobalAsNumber = inputs.GlobalConfig?.Spec.AsNumber ?? DefaultAsNumber;
        GlobalListenPort = inputs.GlobalConfig?.Spec.ListenPort;
        BindMode = inputs.GlobalConfig?.Spec.BindMode;
        foreach (var config in inputs.NodeConfigs)
        {
            var name = config.Metadata.Name;
            if (name is not null && name.StartsWith("node.", StringComparison.Ordinal) && config.Spec.ListenPort is { } port)
            {
                _nodeListenPorts[name["node.".Length..]] = port;
            }
        }
    }

    /// <summary>The inputs the topology was built from.</summary>
    public BirdInputs Inputs { get; }

    public IReadOnlyList<BgpNode> Nodes { get; }

    public BgpNode Self { get; }

    public uint GlobalAsNumber { get; }

    public ushort? GlobalListenPort { get; }

    /// <summary>The default BGPConfiguration's <c>bindMode</c> (None or NodeIP; unset means None).</summary>
    public string? BindMode { get; }

    public uint SelfAsNumber => AsNumberOf(Self);

    public uint AsNumberOf(BgpNode node) => node.AsNumber ?? GlobalAsNumber;

    /// <summary>The port a node's BIRD listens on, if configured (node-specific BGPConfiguration wins).</summary>
    public ushort? ListenPortOf(string nodeName) =>
        _nodeListenPorts.TryGetValue(nodeName, out var port) ? port : GlobalListenPort;

    public IEnumerable<BgpNode> NodesMatching(string selectorText, string field)
    {
        var selector = Selector.TryParse(selectorText, out var parsed, out var error)
            ? parsed
            : throw new BirdInputException(field, selectorText, error.Message);
        return Nodes.Where(n => selector.Matches(n.Labels));
    }

    public bool SelectorMatchesSelf(string selectorText, string field) =>
        NodesMatching(selectorText, field).Any(n => ReferenceEquals(n, Self));
}
