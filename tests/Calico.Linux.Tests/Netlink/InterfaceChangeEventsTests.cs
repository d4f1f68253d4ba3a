using Calico.Linux.Netlink;
using Calico.TestKit;

namespace Calico.Linux.Tests.Netlink;

/// <summary>Root tier: link and address notifications arrive for changes in the socket's namespace only, and a quiet namespace times out.</summary>
[Trait("Tier", "Root")]
public class InterfaceChangeEventsTests
{
    [Fact]
    public async Task An_address_added_moved_or_removed_is_notified_and_silence_times_out()
    {
        using var scope = new NetnsScope("calt-ev");
        using var other = new NetnsScope("calt-ev");
        scope.Ip("link", "add", "hep0", "type", "veth", "peer", "name", "hep1");
        using InterfaceChangeEvents events = await InterfaceChangeEvents.OpenInAsync(scope.Path, CancellationToken.None);
        Assert.False(events.WaitForChange(TimeSpan.FromMilliseconds(200)));

        scope.Ip("addr", "add", "198.18.0.1/32", "dev", "hep0");
        Assert.True(events.WaitForChange(TimeSpan.FromSeconds(5)));
        Assert.False(events.WaitForChange(TimeSpan.FromMilliseconds(200))); // everything queued was consumed

        other.Ip("link", "add", "oth0", "type", "veth", "peer", "name", "oth1");
        other.Ip("addr", "add", "198.18.0.9/32", "dev", "oth0");
        Assert.False(events.WaitForChange(TimeSpan.FromMilliseconds(200)));

        scope.Ip("addr", "del", "198.18.0.1/32", "dev", "hep0");
        scope.Ip("addr", "add", "198.18.0.1/32", "dev", "hep1");
        Assert.True(events.WaitForChange(TimeSpan.FromSeconds(5)));

        scope.Ip("-6", "addr", "add", "fd00:18::1/128", "dev", "hep1", "nodad");
        Assert.True(events.WaitForChange(TimeSpan.FromSeconds(5)));
    }
}
