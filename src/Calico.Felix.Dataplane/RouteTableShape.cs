namespace Calico.Felix.Dataplane;

/// <summary>Routes the route manager keeps in one table (label as upstream's: <c>IPv4:254</c>) and the interfaces they use.</summary>
public sealed record RouteTableShape(string Table, int Routes, int Interfaces);
