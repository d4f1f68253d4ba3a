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

        /// <summary>
        /// When this call first heard a member say it cannot serve (0: not yet). The grace runs from here, not from
        /// the moment the last member joined in: a follower of a dead leader (or an old leader not yet stepped down)
        /// holds a read for the whole attempt deadline before it says "no leader", and that wait is already part of
        /// the outage the caller has sat through.
        /// </summary>
        public long FirstEvidence { get; private set; }

        public void Note(EtcdEndpoint endpoint, EtcdFailure failure, long now)
        {
            if (failure.Unserved)
            {
                if (FirstEvidence == 0)
                {
                    FirstEvidence = now;
                }

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
        long now = _time.GetTimestamp();
        unserved.Note(endpoint, failure, now);
        if (!unserved.All)
        {
            return;
        }

        long since = Interlocked.CompareExchange(ref _unservedSince, unserved.FirstEvidence, 0);
        if (since == 0)
        {
            since = unserved.FirstEvidence;
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
