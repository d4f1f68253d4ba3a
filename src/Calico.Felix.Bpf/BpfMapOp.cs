namespace Calico.Felix.Bpf;

/// <summary>One write to one of the datapath's maps (<see cref="BpfMapLayout"/>'s names), bytes as the C structs.</summary>
public abstract record BpfMapOp(string Map, byte[] Key);

/// <summary>Create or replace <see cref="BpfMapOp.Key"/>'s value.</summary>
public sealed record BpfMapUpdate(string Map, byte[] Key, byte[] Value) : BpfMapOp(Map, Key);

/// <summary>Remove <see cref="BpfMapOp.Key"/> (absent is fine: the goal is that it is gone).</summary>
public sealed record BpfMapDelete(string Map, byte[] Key) : BpfMapOp(Map, Key);
