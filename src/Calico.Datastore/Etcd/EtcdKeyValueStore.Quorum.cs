namespace Calico.Datastore.Etcd;

/// <summary>
/// Quorum loss, told apart from a slow cluster: when, within one call, every member either refused the connection or
/// answered "no leader", and that has lasted <see cref="EtcdSettings.QuorumLossGrace"/> (longer than an election after
/// a leader's death), the call fails at once naming every member and what it said, instead of spending the rest of
/// the budget. The store remembers since when no member has served, so the next call in the same process fails after
/// one round over the members; the first answer from any member clears it (calls recover by themselves).
/// A member that accepts the connection and never answers is no evidence either way: it costs the attempt deadline.
/// </summary>
public sealed partial class EtcdKeyValueStore
{
    // Timestamp (TimeProvider ticks) since when every member of some call refused or had no leader; 0 when served.
    private long _unservedSince;

    /// <summary>Per call: the members whose latest failure shows they cannot serve, with that failure.</summary>
    private sealed class Unserved(int members)
    {
        private readonly Dictionary<string, string> _failures = new(StringComparer.Ordinal);

        public bool All => _failures.Count == members;

        public void Note(EtcdEndpoint endpoint, EtcdFailure failure)
        {
            if (failure.Unserved)
            {
                _failures[endpoint.Name] = failure.Description;
            }
            else
            {
                _failures.Remove(endpoint.Name);
            }
        }

        public string Describe() => string.Join("; ", _failures.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => f.Key + ": " + f.Value));
    }

    /// <summary>Records a failed attempt; throws the quorum-loss error once nothing has served for the grace period.</summary>
    private void NoteUnserved(Unserved unserved, EtcdEndpoint endpoint, EtcdFailure failure, string operation, string key)
    {
        unserved.Note(endpoint, failure);
        if (!unserved.All)
        {
            return;
        }

        long now = _time.GetTimestamp();
        long since = Interlocked.CompareExchange(ref _unservedSince, now, 0);
        if (since == 0)
        {
            since = now;
        }

        TimeSpan lasted = _time.GetElapsedTime(since, now);
        if (lasted >= _settings.QuorumLossGrace)
        {
            Log.QuorumLost(_logger, operation, key, _settings.EndpointList, unserved.Describe());
            throw QuorumLost(operation, key, lasted, unserved);
        }
    }

    private void NoteServed() => Volatile.Write(ref _unservedSince, 0);

    private DatastoreUnavailableException QuorumLost(string operation, string key, TimeSpan lasted, Unserved unserved)
    {
        string what = key.Length == 0 ? operation : operation + " " + key;
        return new DatastoreUnavailableException(
            $"etcd at {_settings.EndpointList}: no member answers with a leader for {EtcdFailure.Seconds(lasted)} (quorum lost, or every member down): {unserved.Describe()}; {what} not done");
    }
}
