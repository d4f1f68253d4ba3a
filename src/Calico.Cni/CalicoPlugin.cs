using System.Net;
using System.Net.Sockets;
using Calico.Api;
using Calico.Client;
using Calico.Linux;

namespace Calico.Cni;

/// <summary>
/// The <c>calico</c> plugin: addresses from IPAM (in-process), a veth into the routed host network, and the
/// WorkloadEndpoint that makes Felix program it. See DESIGN.md for the invariants (a failed ADD leaves nothing;
/// DEL tolerates every subset of state being gone; a repeated ADD re-establishes the same attachment).
/// </summary>
internal sealed partial class CalicoPlugin(CniSession session)
{
    private static readonly IPAddress s_ipv4Gateway = IPAddress.Parse("169.254.1.1");
    private static readonly IPAddress s_ipv6Gateway = IPAddress.Parse("fe80::ecee:eeff:feee:eeee");

    private NetConf Conf => session.Conf;

    private CniEnvironment Env => session.Env;

    public async Task<CniResult> AddAsync(CancellationToken cancellationToken)
    {
        var identity = WorkloadIdentity.From(Conf, Env, session.Node);
        var assigner = new AddressAssigner(Conf, Env, identity, session.Ipam, session.Time, session.Logger) { Phases = session.Phases };

        // Every read an ADD needs goes out at once, beside the readiness check: the endpoint lookup, the network's
        // profile, and IPAM's reads (handle, pools, node labels, affinities, the affine block). Their answers are
        // only used once the datastore is known to be ready; every write after them is a compare-and-swap.
        var ready = session.NotReadyReasonAsync(cancellationToken);
        var lookup = FindEndpointAsync(identity, cancellationToken);
        var needsProfile = !identity.IsKubernetes && Conf.PolicyType.Length == 0;
        var profile = needsProfile ? session.Resources.GetAsync(ResourceKinds.Profile, null, Conf.Name, cancellationToken) : Task.FromResult<Resource?>(null);
        var ipamReads = assigner.StartReads(cancellationToken);
        string? reason;
        try
        {
            reason = await ready.ConfigureAwait(false);
        }
        catch
        {
            await ObserveAsync(Task.WhenAll(lookup, profile, ipamReads)).ConfigureAwait(false);
            throw;
        }

        if (reason is not null)
        {
            await ObserveAsync(Task.WhenAll(lookup, profile, ipamReads)).ConfigureAwait(false);
            throw new CniException(CniErrorCodes.TryAgainLater, reason);
        }

        WorkloadEndpoint? existing;
        try
        {
            existing = await lookup.ConfigureAwait(false);
        }
        catch
        {
            await ObserveAsync(Task.WhenAll(profile, ipamReads)).ConfigureAwait(false);
            throw;
        }

        await ipamReads.ConfigureAwait(false);
        session.Phases?.Mark("ready");
        AddressAssigner.Assignment assignment;
        try
        {
            assignment = await assigner.AssignAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await ObserveAsync(profile).ConfigureAwait(false);
            throw;
        }

        session.Phases?.Mark("ipam");

        var interfacesCreated = false;
        var endpointWritten = false;
        try
        {
            var repeated = assignment.Reused || (existing is not null && existing.Spec.ContainerID == identity.ContainerId);
            if (repeated)
            {
                // The same attachment again: start from a clean slate so SetUp never meets its own leftovers.
                await WorkloadInterfaces.TearDownAsync(Env.Netns, Env.IfName, identity.HostIfName, cancellationToken).ConfigureAwait(false);
            }

            var spec = new WorkloadInterfaceSpec
            {
                NetnsPath = Env.Netns!,
                ContainerIfName = Env.IfName,
                HostIfName = identity.HostIfName,
                Mtu = NodeSettings.Mtu(Conf),
                IPv4 = assignment.IPv4,
                IPv6 = assignment.IPv6,
            };
            interfacesCreated = true;
            var interfaces = await WorkloadInterfaces.SetUpAsync(spec, cancellationToken).ConfigureAwait(false);
            session.Phases?.Mark("netns");

            if (needsProfile)
            {
                await EnsureNetworkProfileAsync(profile, cancellationToken).ConfigureAwait(false);
            }

            endpointWritten = true;
            await WriteEndpointAsync(identity, existing, assignment, interfaces, cancellationToken).ConfigureAwait(false);
            session.Phases?.Mark("endpoint");
            return Result(identity, assignment, interfaces);
        }
        catch (Exception e)
        {
            Log.RollingBack(session.Logger, e.Message);
            await ObserveAsync(profile).ConfigureAwait(false);
            await UndoAsync(identity, assigner, assignment, interfacesCreated, endpointWritten).ConfigureAwait(false);
            throw;
        }
    }

    public async Task DelAsync(CancellationToken cancellationToken)
    {
        // As upstream's cmdDel: a locked datastore (`calicoctl datastore migrate lock`) is not changed; the runtime retries.
        // The endpoint lookup (a read) goes out beside the lock check; it is used only when the datastore is unlocked.
        var identity = WorkloadIdentity.From(Conf, Env, session.Node);
        var locked = Calico.Client.DatastoreLock.IsLockedAsync(session.Resources, cancellationToken);
        var firstLookup = FindEndpointAsync(identity, cancellationToken);
        bool isLocked;
        try
        {
            isLocked = await locked.ConfigureAwait(false);
        }
        catch
        {
            await ObserveAsync(firstLookup).ConfigureAwait(false);
            throw;
        }

        if (isLocked)
        {
            await ObserveAsync(firstLookup).ConfigureAwait(false);
            throw new CniException(CniErrorCodes.TryAgainLater, "ClusterInformation \"default\" has datastoreReady false (the datastore is locked for a migration): Calico is currently not ready to process requests");
        }

        var stale = false;
        for (var attempt = 0; attempt < 6; attempt++)
        {
            var endpoint = await (attempt == 0 ? firstLookup : FindEndpointAsync(identity, cancellationToken)).ConfigureAwait(false);
            if (endpoint is null)
            {
                break;
            }

            if (!string.IsNullOrEmpty(endpoint.Spec.ContainerID) && endpoint.Spec.ContainerID != identity.ContainerId)
            {
                // A newer sandbox owns the endpoint now (upstream trap 17): keep it, still free this container's addresses.
                Log.StaleDelete(session.Logger, endpoint.Metadata.Namespace ?? "", endpoint.Metadata.Name ?? "", endpoint.Spec.ContainerID, identity.ContainerId, identity.HandleId);
                stale = true;
                break;
            }

            var deleted = await session.Resources.DeleteAsync(ResourceKinds.WorkloadEndpoint, endpoint.Metadata.Namespace, endpoint.Metadata.Name!, endpoint.Metadata.ResourceVersion, cancellationToken).ConfigureAwait(false);
            if (deleted.Status is OperationStatus.Ok or OperationStatus.NotFound)
            {
                Log.DeletedEndpoint(session.Logger, endpoint.Metadata.Namespace ?? "", endpoint.Metadata.Name!);
                break;
            }
        }

        if (!stale)
        {
            // The host veth name of a stale sandbox is the new sandbox's too (pods hash namespace.pod): leave it.
            await WorkloadInterfaces.TearDownAsync(Env.Netns, Env.IfName, identity.HostIfName, cancellationToken).ConfigureAwait(false);
        }

        await new AddressAssigner(Conf, Env, identity, session.Ipam, session.Time, session.Logger).ReleaseAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task CheckAsync(CancellationToken cancellationToken)
    {
        var identity = WorkloadIdentity.From(Conf, Env, session.Node);
        var endpoint = await FindEndpointAsync(identity, cancellationToken).ConfigureAwait(false);
        if (endpoint is null || endpoint.Spec.ContainerID != identity.ContainerId)
        {
            throw new CniException(CniErrorCodes.UnknownContainer, $"no workload endpoint {identity.Namespace}/{identity.WepName} for container {identity.ContainerId}");
        }

        var networks = (endpoint.Spec.IpNetworks ?? []).Select(IPNetwork.Parse).ToList();
        if (Conf.HasPrevResult)
        {
            var expected = Conf.PrevResultIps.Select(n => n.BaseAddress).Order(AddressComparer.Instance).ToList();
            var actual = networks.Select(n => n.BaseAddress).Order(AddressComparer.Instance).ToList();
            if (!expected.SequenceEqual(actual))
            {
                throw new CniException(CniErrorCodes.CheckFailed, $"prevResult addresses [{string.Join(", ", expected)}] differ from the workload endpoint's [{string.Join(", ", actual)}]");
            }
        }

        var spec = new WorkloadInterfaceSpec
        {
            NetnsPath = Env.Netns!,
            ContainerIfName = Env.IfName,
            HostIfName = identity.HostIfName,
            IPv4 = [.. networks.Where(n => n.BaseAddress.AddressFamily == AddressFamily.InterNetwork)],
            IPv6 = [.. networks.Where(n => n.BaseAddress.AddressFamily == AddressFamily.InterNetworkV6)],
        };
        if (!await WorkloadInterfaces.CheckAsync(spec, cancellationToken).ConfigureAwait(false))
        {
            throw new CniException(CniErrorCodes.CheckFailed, $"interface {Env.IfName} in {Env.Netns} or host interface {identity.HostIfName} is missing or lacks the addresses {string.Join(", ", networks)}");
        }
    }

    /// <summary>Waits for a read whose result is no longer wanted, so its failure is never unobserved.</summary>
    private static async Task ObserveAsync(Task task)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
#pragma warning disable CA1031 // The outcome of an abandoned read does not matter.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    /// <summary>The endpoint this container's ADD would write (pods: any interface of the pod on this node, re-matched).</summary>
    private async Task<WorkloadEndpoint?> FindEndpointAsync(WorkloadIdentity identity, CancellationToken cancellationToken)
    {
        var direct = await session.Resources.GetAsync(ResourceKinds.WorkloadEndpoint, identity.Namespace, identity.WepName, cancellationToken).ConfigureAwait(false);
        return direct as WorkloadEndpoint;
    }

    /// <param name="read">The profile as read beside the readiness check.</param>
    private async Task EnsureNetworkProfileAsync(Task<Resource?> read, CancellationToken cancellationToken)
    {
        if (await read.ConfigureAwait(false) is not null)
        {
            return;
        }

        // Upstream's rules for a network's profile: egress allowed, ingress from members of the network.
        var profile = new Profile
        {
            Metadata = { Name = Conf.Name },
            Spec =
            {
                Egress = [new Rule { Action = "Allow" }],
                Ingress = [new Rule { Action = "Allow", Source = new EntityRule { Selector = $"has({Conf.Name})" } }],
                LabelsToApply = new Dictionary<string, string>(StringComparer.Ordinal) { [Conf.Name] = "" },
            },
        };
        var created = await session.Resources.CreateAsync(profile, cancellationToken).ConfigureAwait(false);
        if (created.Succeeded)
        {
            Log.CreatedProfile(session.Logger, Conf.Name);
        }
    }

    private async Task WriteEndpointAsync(WorkloadIdentity identity, WorkloadEndpoint? existing, AddressAssigner.Assignment assignment, WorkloadInterfaceResult interfaces, CancellationToken cancellationToken)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in Conf.Args.Labels)
        {
            labels[key] = value;
        }

        var endpoint = new WorkloadEndpoint
        {
            Metadata = { Name = identity.WepName, Namespace = identity.Namespace, Labels = labels },
            Spec =
            {
                Orchestrator = identity.Orchestrator,
                Node = identity.Node,
                ContainerID = identity.ContainerId,
                Pod = identity.Pod,
                Endpoint = identity.Endpoint,
                IpNetworks = [.. assignment.All.Select(n => n.ToString())],
                Profiles = [.. identity.Profiles],
                InterfaceName = interfaces.HostIfName,
                Mac = interfaces.ContainerMac,
                Ports = Conf.Args.Ports.Count == 0 ? null : [.. Conf.Args.Ports.Select(p => new WorkloadEndpointPort { Name = p.Name, Protocol = Protocol.FromString(p.Protocol), Port = p.Port })],
            },
        };
        AddFloatingIpsAndSourcePrefixes(endpoint.Spec, assignment);

        for (var attempt = 0; attempt < 5; attempt++)
        {
            OperationResult written;
            if (existing is null)
            {
                written = await session.Resources.CreateAsync(endpoint, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                endpoint.Metadata.ResourceVersion = existing.Metadata.ResourceVersion;
                written = await session.Resources.UpdateAsync(endpoint, cancellationToken).ConfigureAwait(false);
                endpoint.Metadata.ResourceVersion = null;
            }

            if (written.Succeeded)
            {
                Log.WroteEndpoint(session.Logger, identity.Namespace, identity.WepName, interfaces.HostIfName);
                return;
            }

            existing = await FindEndpointAsync(identity, cancellationToken).ConfigureAwait(false);
        }

        throw new CniException(CniErrorCodes.TryAgainLater, $"could not write workload endpoint {identity.Namespace}/{identity.WepName}: it keeps changing under us");
    }

    private async Task UndoAsync(WorkloadIdentity identity, AddressAssigner assigner, AddressAssigner.Assignment assignment, bool interfacesCreated, bool endpointWritten)
    {
        // Undo must finish even when the ADD was cancelled: no token.
        if (endpointWritten)
        {
            await UndoStepAsync("delete workload endpoint", async () =>
            {
                if (await FindEndpointAsync(identity, CancellationToken.None).ConfigureAwait(false) is { } written && written.Spec.ContainerID == identity.ContainerId)
                {
                    await session.Resources.DeleteAsync(ResourceKinds.WorkloadEndpoint, identity.Namespace, identity.WepName, null, CancellationToken.None).ConfigureAwait(false);
                }
            }).ConfigureAwait(false);
        }

        if (interfacesCreated)
        {
            await UndoStepAsync("remove interfaces", () => WorkloadInterfaces.TearDownAsync(Env.Netns, Env.IfName, identity.HostIfName, CancellationToken.None)).ConfigureAwait(false);
        }

        if (assignment.ThroughIpam)
        {
            await UndoStepAsync("release addresses", () => assigner.ReleaseAsync(CancellationToken.None)).ConfigureAwait(false);
        }
    }

    private async Task UndoStepAsync(string step, Func<Task> action)
    {
        try
        {
            await action().ConfigureAwait(false);
        }
#pragma warning disable CA1031 // The original failure is what the runtime must see; an undo failure is logged beside it.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Log.RollbackStepFailed(session.Logger, step, e);
        }
    }

    private CniResult Result(WorkloadIdentity identity, AddressAssigner.Assignment assignment, WorkloadInterfaceResult interfaces)
    {
        var routes = new List<ResultRoute>();
        if (assignment.IPv4.Count > 0)
        {
            routes.Add(new ResultRoute(new IPNetwork(IPAddress.Any, 0), s_ipv4Gateway));
        }

        if (assignment.IPv6.Count > 0)
        {
            routes.Add(new ResultRoute(new IPNetwork(IPAddress.IPv6Any, 0), s_ipv6Gateway));
        }

        return new CniResult
        {
            Interfaces =
            [
                new ResultInterface(interfaces.HostIfName, interfaces.HostMac, null),
                new ResultInterface(interfaces.ContainerIfName, interfaces.ContainerMac, Env.Netns),
            ],
            Ips = [.. assignment.All.Select(n => new ResultIp(n, 1))],
            Routes = routes,
            Dns = Conf.Dns,
        };
    }
}
