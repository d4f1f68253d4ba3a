namespace Calico.Cni;

/// <summary>
/// <c>calico-ipam</c>: the same address code as the calico plugin, answering a chained or foreign main plugin.
/// ADD prints only IPs; DEL releases the container's handle; CHECK confirms the handle still holds addresses.
/// </summary>
internal sealed class IpamPlugin(CniSession session)
{
    public async Task<CniResult> AddAsync(CancellationToken cancellationToken)
    {
        var assignment = await Assigner().AssignAsync(cancellationToken).ConfigureAwait(false);
        return new CniResult { Ips = [.. assignment.All.Select(n => new ResultIp(n, null))] };
    }

    public Task DelAsync(CancellationToken cancellationToken) => Assigner().ReleaseAsync(cancellationToken);

    public async Task CheckAsync(CancellationToken cancellationToken)
    {
        var identity = Identity();
        var held = await session.Ipam.IpsByHandleAsync(identity.HandleId, cancellationToken).ConfigureAwait(false);
        if (held.Count == 0)
        {
            throw new CniException(CniErrorCodes.UnknownContainer, $"IPAM handle {identity.HandleId} holds no addresses");
        }
    }

    private WorkloadIdentity Identity() => WorkloadIdentity.From(session.Conf, session.Env, session.Node);

    private AddressAssigner Assigner() => new(session.Conf, session.Env, Identity(), session.Ipam, session.Time, session.Logger);
}
