using System.Text.Json.Serialization;

namespace Calico.Lab.Cluster;

/// <summary>Source-generated JSON for lab.json (no reflection: the project is AOT-compatible).</summary>
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(LabState))]
internal sealed partial class LabStateJson : JsonSerializerContext;
