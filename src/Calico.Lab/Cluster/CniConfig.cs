using System.Text.Json.Nodes;

namespace Calico.Lab.Cluster;

/// <summary>A host's network configuration for the calico plugin, as a runtime would hand it over.</summary>
public static class CniConfig
{
    public const string NetworkName = "k8s-pod-network";
    public const string CniVersion = "1.0.0";

    /// <summary>The single-plugin configuration a runtime writes to the plugin's stdin.</summary>
    public static string Network(LabState state, LabHost host) => Plugin(state, host, withVersion: true).ToJsonString();

    /// <summary>
    /// The conflist a runtime would read from /etc/cni/net.d (kept in the host directory, for people): calico, then
    /// the standard portmap plugin as upstream's manifests chain it, so a runtime's port mappings are honoured.
    /// </summary>
    public static string ConfList(LabState state, LabHost host) => new JsonObject
    {
        ["cniVersion"] = CniVersion,
        ["name"] = NetworkName,
        ["plugins"] = new JsonArray(Plugin(state, host, withVersion: false), PortMapPlugin()),
    }.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }) + "\n";

    /// <summary>
    /// What a runtime hands the chained portmap plugin for one pod (libcni's second step): the plugin's conflist
    /// entry, the pod's <c>runtimeConfig.portMappings</c> (the <c>portMappings</c> capability) and, at ADD, calico's
    /// result as <c>prevResult</c> (portmap takes the container's addresses from it).
    /// </summary>
    public static string PortMap(IReadOnlyList<PortMapping> mappings, string? prevResult)
    {
        ArgumentNullException.ThrowIfNull(mappings);
        var plugin = PortMapPlugin();
        plugin.Insert(0, "cniVersion", CniVersion);
        plugin.Insert(1, "name", NetworkName);
        var entries = new JsonArray();
        foreach (var mapping in mappings)
        {
            entries.Add((JsonNode)new JsonObject { ["hostPort"] = mapping.HostPort, ["containerPort"] = mapping.ContainerPort, ["protocol"] = mapping.Protocol });
        }

        plugin["runtimeConfig"] = new JsonObject { ["portMappings"] = entries };
        if (prevResult is not null)
        {
            plugin["prevResult"] = JsonNode.Parse(prevResult);
        }

        return plugin.ToJsonString();
    }

    /// <summary>portmap's conflist entry, as upstream's manifests write it (snat: hairpin and localhost traffic masqueraded).</summary>
    private static JsonObject PortMapPlugin() => new()
    {
        ["type"] = "portmap",
        ["snat"] = true,
        ["capabilities"] = new JsonObject { ["portMappings"] = true },
    };

    private static JsonObject Plugin(LabState state, LabHost host, bool withVersion)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(host);
        var plugin = new JsonObject();
        if (withVersion)
        {
            plugin["cniVersion"] = CniVersion;
            plugin["name"] = NetworkName;
        }

        plugin["type"] = "calico";
        plugin["datastore_type"] = state.DatastoreType;
        if (state.DatastoreType == "etcdv3")
        {
            plugin["etcd_endpoints"] = state.EtcdEndpoints;
        }
        else
        {
            plugin["datastore_path"] = state.DatastorePath;
        }

        plugin["nodename"] = host.Name;
        // No mtu: the plugin reads the mtu file calico-node writes beside the nodename file, i.e. in this host's
        // calico-node state directory, so each host's pods get the MTU its calico-node computed (parent - 50 over
        // VXLAN) although all hosts share this machine's filesystem.
        plugin["nodename_file"] = Path.Combine(host.Directory, "nodename");
        plugin["log_level"] = "info";
        plugin["log_file_path"] = Path.Combine(host.Directory, "cni.log");
        plugin["ipam_lock_file"] = Path.Combine(host.Directory, "ipam.lock");
        var ipam = new JsonObject { ["type"] = "calico-ipam" };
        if (state.Ipv6)
        {
            // A string, as upstream's documented examples write it.
            ipam["assign_ipv6"] = "true";
        }

        plugin["ipam"] = ipam;
        return plugin;
    }
}
