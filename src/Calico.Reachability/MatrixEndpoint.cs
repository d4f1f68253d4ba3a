using System.Net;
using Calico.Felix.Calc.Model;

namespace Calico.Reachability;

/// <summary>A row/column of a reachability matrix: a display name, the endpoint (null: an address only) and its address.</summary>
public sealed record MatrixEndpoint(string Name, EndpointKey? Key, IPAddress Address);
