using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Calico.Api.Serialization;

/// <summary>Source-generated metadata for every kind (Native AOT: no reflection-based serialization).</summary>
[JsonSourceGenerationOptions(Converters = [typeof(LenientStringConverter)])]
[JsonSerializable(typeof(BGPConfiguration))]
[JsonSerializable(typeof(BGPFilter))]
[JsonSerializable(typeof(BGPPeer))]
[JsonSerializable(typeof(CalicoNodeStatus))]
[JsonSerializable(typeof(ClusterInformation))]
[JsonSerializable(typeof(FelixConfiguration))]
[JsonSerializable(typeof(GlobalNetworkPolicy))]
[JsonSerializable(typeof(GlobalNetworkSet))]
[JsonSerializable(typeof(HostEndpoint))]
[JsonSerializable(typeof(IPAMConfiguration))]
[JsonSerializable(typeof(IPPool))]
[JsonSerializable(typeof(IPReservation))]
[JsonSerializable(typeof(KubeControllersConfiguration))]
[JsonSerializable(typeof(NetworkPolicy))]
[JsonSerializable(typeof(NetworkSet))]
[JsonSerializable(typeof(Node))]
[JsonSerializable(typeof(Profile))]
[JsonSerializable(typeof(StagedGlobalNetworkPolicy))]
[JsonSerializable(typeof(StagedKubernetesNetworkPolicy))]
[JsonSerializable(typeof(StagedNetworkPolicy))]
[JsonSerializable(typeof(Tier))]
[JsonSerializable(typeof(WorkloadEndpoint))]
[JsonSerializable(typeof(KubernetesNetworkPolicy))]
[JsonSerializable(typeof(KubernetesNamespace))]
[JsonSerializable(typeof(JsonObject))]
[JsonSerializable(typeof(JsonArray))]
internal sealed partial class ApiJsonContext : JsonSerializerContext
{
}
