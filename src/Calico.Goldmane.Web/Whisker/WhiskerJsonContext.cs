using System.Text.Json.Serialization;

namespace Calico.Goldmane.Web.Whisker;

/// <summary>Source-generated JSON for the whisker-backend API (Native AOT: no reflection). Field names match
/// case-insensitively on input, as Go's encoding/json does.</summary>
[JsonSourceGenerationOptions(PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(WhiskerFlow))]
[JsonSerializable(typeof(WhiskerList<WhiskerFlow>))]
[JsonSerializable(typeof(WhiskerList<WhiskerFilterHint>))]
[JsonSerializable(typeof(WhiskerError))]
[JsonSerializable(typeof(WhiskerFilters))]
internal sealed partial class WhiskerJsonContext : JsonSerializerContext;
