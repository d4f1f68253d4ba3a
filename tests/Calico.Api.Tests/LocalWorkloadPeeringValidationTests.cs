using Calico.Api.Support;

namespace Calico.Api.Tests;

/// <summary>Local workload peering and bind mode at the boundary: upstream's rules, one error naming the field.</summary>
[Trait("Tier", "Unit")]
public sealed class LocalWorkloadPeeringValidationTests
{
    private static BGPPeer Peer(Action<BGPPeerSpec> edit)
    {
        var peer = new BGPPeer { Metadata = { Name = "vm-router" } };
        peer.Spec.LocalWorkloadSelector = "role == 'router'";
        peer.Spec.AsNumber = 65100;
        edit(peer.Spec);
        return peer;
    }

    private static BGPConfiguration Config(Action<BGPConfigurationSpec> edit)
    {
        var config = new BGPConfiguration { Metadata = { Name = "default" } };
        edit(config.Spec);
        return config;
    }

    [Fact]
    public void Validate_LocalWorkloadPeerAndPeeringIps_AcceptedAndAct()
    {
        var peer = Peer(s => s.NodeSelector = "rack == 'r1'");
        var config = Config(s =>
        {
            s.LocalWorkloadPeeringIPV4 = "169.254.0.179";
            s.LocalWorkloadPeeringIPV6 = "fe80::179";
            s.BindMode = "NodeIP";
        });

        ResourceValidator.Validate(peer);
        ResourceValidator.Validate(config);
        Assert.Empty(SupportMatrix.Check(peer));
        Assert.Empty(SupportMatrix.Check(config));
    }

    public static TheoryData<Resource, string, string> Invalid => new()
    {
        { Peer(s => s.PeerIP = "10.0.0.9"), "PeerIP", "peerIP must be empty when localWorkloadSelector is set" },
        { Peer(s => s.PeerSelector = "all()"), "PeerSelector", "peerSelector must be empty when localWorkloadSelector is set" },
        { Peer(s => s.AsNumber = null), "ASNumber", "asNumber is required when localWorkloadSelector is set" },
        { Peer(s => s.LocalWorkloadSelector = "role =="), "LocalWorkloadSelector", "role ==" },
        { Config(s => s.LocalWorkloadPeeringIPV4 = "fe80::179"), "LocalWorkloadPeeringIPV4", "fe80::179" },
        { Config(s => s.LocalWorkloadPeeringIPV6 = "169.254.0.179"), "LocalWorkloadPeeringIPV6", "169.254.0.179" },
        { Config(s => s.BindMode = "AllIPs"), "BindMode", "AllIPs" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Validate_BadLocalPeeringSetting_RefusedNamingTheField(Resource resource, string field, string text)
    {
        var error = Assert.Throws<ValidationException>(() => ResourceValidator.Validate(resource));

        Assert.Contains(error.Errors, e => e.Field.EndsWith(field, StringComparison.OrdinalIgnoreCase));
        Assert.Contains(text, error.Message, StringComparison.Ordinal);
    }
}
