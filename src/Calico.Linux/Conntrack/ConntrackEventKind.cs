namespace Calico.Linux.Conntrack;

/// <summary>What a ctnetlink record is: a dump entry, or an event of the NEW or DESTROY group.</summary>
public enum ConntrackEventKind
{
    /// <summary>Read by a dump of the table.</summary>
    Dump,

    /// <summary>A connection was confirmed (its first packet passed the hooks).</summary>
    New,

    /// <summary>A connection ended (timed out, or deleted); carries the final counters when accounting is on.</summary>
    Destroy,
}
