namespace Calico.Cni;

/// <summary>One top-level key the plugin accepts, its status, and why (the sentence used in warnings and errors).</summary>
internal sealed record NetConfKey(string Name, NetConfKeyStatus Status, string Why);
