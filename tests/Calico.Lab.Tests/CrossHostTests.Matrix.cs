namespace Calico.Lab.Tests;

/// <summary>
/// <c>calico-lab matrix</c> on the BGP lab (<c>--encapsulation none</c>): a port nobody serves reads "o" (the pod
/// refused), a policy's Deny reads "X" (dropped, no answer). host3's pod, across the fabric router that knows no pod
/// routes, reads "X" too (the router drops silently: it has no route back for an ICMP error either), which <c>up</c>
/// warned about and <c>matrix</c> notes under its tables.
/// </summary>
public sealed partial class CrossHostTests
{
    private const string DenyIngressToB = """
        apiVersion: projectcalico.org/v3
        kind: NetworkPolicy
        metadata:
          name: deny-b
          namespace: x
        spec:
          selector: pod == 'b'
          types: [Ingress]
        """;

    [Fact]
    public async Task Matrix_NotListeningAndUnreachable_ApartFromDenied()
    {
        Assert.Contains("warning: --encapsulation none: host3 (172.30.1.0/24) is across the fabric router from host1, host2", fixture.UpError, StringComparison.Ordinal);
        Assert.True(await fixture.EventuallyReachesAsync("a", "b"), "x/a does not reach x/b");
        Assert.True(await fixture.EventuallyReachesAsync("b", "a"), "x/b does not reach x/a");

        var before = await Lab.MustAsync("matrix", "--probe", "TCP/80,TCP/81");
        Assert.Contains("o not listening (refused)", before, StringComparison.Ordinal);
        var http = Cells(before, "TCP/80");
        var unserved = Cells(before, "TCP/81");
        Assert.True((http[("x/a", "x/b")], http[("x/b", "x/a")]) == ('.', '.'), before);
        Assert.True((unserved[("x/a", "x/b")], unserved[("x/b", "x/a")]) == ('o', 'o'), before);
        foreach (var other in new[] { "x/a", "x/b" })
        {
            Assert.True((http[(other, "x/c")], http[("x/c", other)]) == ('X', 'X'), before);
        }

        Assert.Contains("note: the lab runs with --encapsulation none and x/c (host3) sit(s) across the fabric router", before, StringComparison.Ordinal);

        await Lab.CalicoctlAsync(DenyIngressToB, "apply", "-f", "-");
        try
        {
            Assert.True(await fixture.EventuallyBlockedAsync("a", "b"), "the deny policy never took effect");
            var after = await Lab.MustAsync("matrix", "--probe", "TCP/80,TCP/81");
            // Dropped before the pod could refuse: denied, on the served port and on the unserved one alike.
            Assert.True((Cells(after, "TCP/80")[("x/a", "x/b")], Cells(after, "TCP/81")[("x/a", "x/b")]) == ('X', 'X'), after);
            Assert.True((Cells(after, "TCP/80")[("x/b", "x/a")], Cells(after, "TCP/81")[("x/b", "x/a")]) == ('.', 'o'), after);
        }
        finally
        {
            await Lab.CalicoctlAsync(null, "delete", "networkpolicy", "deny-b", "-n", "x", "--skip-not-exists");
        }

        Assert.True(await fixture.EventuallyReachesAsync("a", "b"), "x/a does not reach x/b once the policy is gone");
    }

    /// <summary>The cells of one probe's table in <c>matrix</c>'s output: (from, to) → its character.</summary>
    private static Dictionary<(string From, string To), char> Cells(string output, string probe)
    {
        var lines = output.Split('\n');
        var start = Array.FindIndex(lines, l => l.StartsWith(probe + " (", StringComparison.Ordinal));
        Assert.True(start >= 0, $"no {probe} table in:\n{output}");
        var names = lines[start + 1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var cells = new Dictionary<(string, string), char>();
        for (var i = 0; i < names.Length; i++)
        {
            var row = lines[start + 2 + i].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            for (var j = 0; j < names.Length; j++)
            {
                cells[(row[0], names[j])] = row[j + 1][0];
            }
        }

        return cells;
    }
}
