namespace Calico.Bird.Rendering;

/// <summary>
/// BIRD protocol names for peerings, as upstream forms them (<c>Mesh_10_0_0_2</c>, <c>Global_fd00__1</c>,
/// <c>Node_10_0_0_9_port_1790</c>): <c>calicoctl node status</c> decodes the peer address and type back from them.
/// </summary>
internal static class PeeringNames
{
    public static string For(PeeringKind kind, string ip, ushort? port)
    {
        var name = $"{kind}_{ip.Replace('.', '_').Replace(':', '_')}";
        return port is > 0 && kind != PeeringKind.Mesh ? $"{name}_port_{port}" : name;
    }
}
