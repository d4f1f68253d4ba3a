namespace Calico.Goldmane.Store;

/// <summary>One slot of the ring: the flows seen in [Start, End) and their policy statistics.</summary>
internal sealed class FlowBucket
{
    public long Number { get; private set; } = long.MinValue;

    public long Start { get; private set; }

    public long End { get; private set; }

    public HashSet<DiachronicFlow> Flows { get; } = [];

    public BucketStatistics Statistics { get; } = new();

    public void Reset(long number, int width)
    {
        Number = number;
        Start = number * width;
        End = Start + width;
        Flows.Clear();
        Flows.TrimExcess();
        Statistics.Clear();
    }
}
