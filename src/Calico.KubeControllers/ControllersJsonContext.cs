using System.Text.Json.Serialization;
using Calico.Api;

namespace Calico.KubeControllers;

/// <summary>Source-generated JSON (Native AOT): the status file, the lease record, the running-config fingerprint.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(KubeControllersConfigurationSpec))]
[JsonSerializable(typeof(Health.StatusDocument))]
[JsonSerializable(typeof(Leadership.LeaseRecord))]
internal sealed partial class ControllersJsonContext : JsonSerializerContext;
