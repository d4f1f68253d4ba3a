namespace Calico.Felix.Calc.Model;

/// <summary>
/// What the calculation graph tells the dataplane (upstream's proto messages). Ordering contract, as upstream's
/// EventSequencer: IP sets are created/filled before policies that use them; policies and profiles before the
/// endpoints that reference them; removals in the reverse order (endpoints, then policies, then IP sets).
/// </summary>
public abstract record DataplaneUpdate;

public sealed record IpSetUpdate(string Id, IpSetType Type, IReadOnlyCollection<string> Members) : DataplaneUpdate;

public sealed record IpSetDeltaUpdate(string Id, IReadOnlyCollection<string> Added, IReadOnlyCollection<string> Removed) : DataplaneUpdate;

public sealed record IpSetRemove(string Id) : DataplaneUpdate;

public sealed record ActivePolicyUpdate(PolicyKey Key, PolicyIntent Policy) : DataplaneUpdate;

public sealed record ActivePolicyRemove(PolicyKey Key) : DataplaneUpdate;

public sealed record ActiveProfileUpdate(string Id, ProfileIntent Profile) : DataplaneUpdate;

public sealed record ActiveProfileRemove(string Id) : DataplaneUpdate;

public sealed record EndpointUpdate(EndpointIntent Endpoint) : DataplaneUpdate;

public sealed record EndpointRemove(EndpointKey Key) : DataplaneUpdate;

/// <summary>The datastore is in sync: the dataplane may now remove state it does not know about.</summary>
public sealed record InSyncUpdate : DataplaneUpdate;
