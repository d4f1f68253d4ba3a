using Calico.Goldmane.Api;

namespace Calico.Goldmane.Store;

/// <summary>A policy's identity in statistics (namespace, name, kind, tier).</summary>
internal readonly record struct PolicyId(string Namespace, string Name, PolicyKind Kind, string Tier);
