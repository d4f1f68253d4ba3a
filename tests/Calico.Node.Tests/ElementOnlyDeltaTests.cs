using Calico.Felix.Calc.Model;
using Calico.Felix.Rules;
using Calico.Linux.Nft;
using Calico.Nftables;
using Calico.Node.Dataplane;

namespace Calico.Node.Tests;

public sealed class ElementOnlyDeltaTests
{
    private static readonly PolicyKey Policy = new("default", "GlobalNetworkPolicy", null, "p");

    private static NftTable Build(string[] members, RuleAction action = RuleAction.Allow)
    {
        var state = new DataplaneState();
        state.Apply(new IpSetUpdate("s:x", IpSetType.Net, members));
        state.Apply(new ActivePolicyUpdate(Policy, new PolicyIntent([new RuleModel { Action = action, SrcIpSetIds = ["s:x"] }], [])));
        return NftablesRenderer.Build(state, new RenderConfig(), NatInputs.None);
    }

    [Fact]
    public void Membership_changes_become_netlink_element_changes_deletes_first()
    {
        var changes = ElementOnlyDelta.TryCompute(Build(["10.0.0.1/32", "10.0.0.2/32"]), Build(["10.0.0.2/32", "10.0.0.3/32"]));
        Assert.NotNull(changes);
        Assert.Equal(
            [new SetElementChange("cali40s_x", NftSetKind.Ipv4Prefix, false, "10.0.0.1"), new SetElementChange("cali40s_x", NftSetKind.Ipv4Prefix, true, "10.0.0.3")],
            changes.Select(c => c with { Element = c.Element.Replace("/32", "", StringComparison.Ordinal) }));
    }

    [Fact]
    public void Any_rule_change_takes_the_nft_path()
    {
        Assert.Null(ElementOnlyDelta.TryCompute(Build(["10.0.0.1/32"]), Build(["10.0.0.1/32"], RuleAction.Deny)));
    }

    [Fact]
    public void No_change_is_an_empty_list()
    {
        Assert.Empty(ElementOnlyDelta.TryCompute(Build(["10.0.0.1/32"]), Build(["10.0.0.1/32"]))!);
    }

    [Theory]
    [InlineData("type ipv4_addr|flags interval", NftSetKind.Ipv4Prefix)]
    [InlineData("type ipv6_addr . inet_proto . inet_service", NftSetKind.Ipv6PortConcat)]
    [InlineData("type ipv4_addr", NftSetKind.Ipv4Addr)]
    public void Kinds_of_our_declarations(string declaration, NftSetKind kind) =>
        Assert.Equal(kind, ElementOnlyDelta.KindOf(declaration.Split('|')));

    [Fact]
    public void Merged_rule_sets_are_interval_concatenations() =>
        Assert.Equal(NftSetKind.Ipv4ProtoPortInterval, ElementOnlyDelta.KindOf(["type ipv4_addr . inet_proto . inet_service", "flags interval"]));

    [Fact]
    public void Unknown_declarations_are_not_for_netlink() =>
        Assert.Null(ElementOnlyDelta.KindOf(["type ipv4_addr", "flags interval,timeout"]));
}
