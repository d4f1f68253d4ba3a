using Calico.Client;
using Calico.Datastore.Embedded;

namespace Calico.Cni.Tests;

/// <summary>While the datastore is locked (<c>calicoctl datastore migrate lock</c>), DEL changes nothing and asks for a
/// retry, as upstream's cmdDel; once unlocked it runs.</summary>
[Trait("Tier", "Unit")]
public sealed class LockedDatastoreTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cni-locked-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Conf() =>
        "{\"cniVersion\":\"1.0.0\",\"name\":\"net1\",\"type\":\"calico\",\"datastore_type\":\"embedded\",\"datastore_path\":\"" + _dir + "/calico.db\"," +
        "\"log_file_path\":\"" + _dir + "/cni.log\",\"ipam_lock_file\":\"" + _dir + "/ipam.lock\",\"nodename\":\"node1\",\"ipam\":{\"type\":\"calico-ipam\"}}";

    [Fact]
    public async Task Del_WhileLocked_Code11AndNothingChanged_ThenRunsOnceUnlocked()
    {
        await using (var store = new EmbeddedKeyValueStore(Path.Combine(_dir, "calico.db")))
        {
            await DatastoreLock.SetLockedAsync(new ResourceClient(store, TimeProvider.System), locked: true, CancellationToken.None);
        }

        var locked = await InProcessPlugin.RunAsync(InProcessPlugin.Env("DEL"), Conf());
        await using (var store = new EmbeddedKeyValueStore(Path.Combine(_dir, "calico.db")))
        {
            await DatastoreLock.SetLockedAsync(new ResourceClient(store, TimeProvider.System), locked: false, CancellationToken.None);
        }

        var unlocked = await InProcessPlugin.RunAsync(InProcessPlugin.Env("DEL"), Conf());

        Assert.Equal(11, locked.ErrorCode);
        Assert.Contains("datastoreReady false", locked.ErrorMessage, StringComparison.Ordinal);
        Assert.True(unlocked.ExitCode == 0, unlocked.Stdout + unlocked.Stderr);
    }
}
