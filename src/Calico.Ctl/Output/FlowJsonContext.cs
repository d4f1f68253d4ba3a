using System.Text.Json.Serialization;

namespace Calico.Ctl.Output;

/// <summary>Source-generated JSON for the one thing FlowPrinter serializes whole: a YAML double-quoted string.</summary>
[JsonSerializable(typeof(string))]
internal sealed partial class FlowJsonContext : JsonSerializerContext;
