namespace Calico.Bird.Control;

/// <summary>
/// One row of <c>show protocols</c>: e.g. <c>Mesh_10_0_0_2 BGP --- up 12:50:57 Established</c>. <see cref="Info"/>
/// is the rest of the row with runs of spaces collapsed (for BGP: the session state, then any detail).
/// </summary>
public sealed record BirdProtocolStatus(string Name, string Proto, string Table, string State, string Since, string Info);
