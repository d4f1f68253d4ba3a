using Calico.Felix.Calc.Model;

namespace Calico.Felix.Calc.Tests;

/// <summary>
/// <see cref="DataplaneState.ChangesSince"/>: the policies and profiles updated or removed since a revision, in order,
/// and null once the journal no longer reaches back (or for a revision the state never had).
/// </summary>
[Trait("Tier", "Unit")]
public sealed class DataplaneStateJournalTests
{
    private static readonly PolicyKey P1 = new("default", "GlobalNetworkPolicy", null, "p1");
    private static readonly PolicyKey P2 = new("default", "GlobalNetworkPolicy", null, "p2");

    [Fact]
    public void PolicyAndProfileChanges_AreJournalled_InOrder_OtherUpdatesAreNot()
    {
        var state = new DataplaneState();
        long start = state.Revision;
        state.Apply(new ActivePolicyUpdate(P1, new PolicyIntent([], [])));
        state.Apply(new IpSetUpdate("s:a", IpSetType.Net, ["10.0.0.0/8"]));
        state.Apply(new ActiveProfileUpdate("kns.a", new ProfileIntent([], [])));
        long middle = state.Revision;
        state.Apply(new ActivePolicyRemove(P2));
        state.Apply(new ActiveProfileRemove("kns.a"));

        Assert.Equal(
            [new DataplaneStateChange(P1, null), new DataplaneStateChange(null, "kns.a"), new DataplaneStateChange(P2, null), new DataplaneStateChange(null, "kns.a")],
            state.ChangesSince(start));
        Assert.Equal([new DataplaneStateChange(P2, null), new DataplaneStateChange(null, "kns.a")], state.ChangesSince(middle));
        Assert.Empty(state.ChangesSince(state.Revision)!);
        Assert.Null(state.ChangesSince(state.Revision + 1));
    }

    [Fact]
    public void AReaderTheJournalNoLongerReaches_GetsNull_ARecentOneStillItsChanges()
    {
        var state = new DataplaneState();
        long start = state.Revision;
        for (int i = 0; i < (2 * DataplaneState.JournalLength) + 1; i++)
        {
            state.Apply(new ActivePolicyUpdate(P1, new PolicyIntent([], [])));
        }

        long recent = state.Revision - 3;
        Assert.Null(state.ChangesSince(start));
        Assert.Equal(3, state.ChangesSince(recent)!.Count);
        Assert.Equal(DataplaneState.JournalLength, state.ChangesSince(state.Revision - DataplaneState.JournalLength)!.Count);
    }
}
