using Calico.Datastore;
using Calico.Datastore.Embedded;
using Calico.TestKit;

namespace Calico.Lifecycle.Tests;

/// <summary>
/// Builds <see cref="LifecycleWorld"/> once into an embedded store file, then hands out copies of that file, so a
/// test can start from the same world many times (one copy per simulated crash) without rebuilding it.
/// </summary>
public sealed class WorldTemplate : IAsyncLifetime
{
    private readonly TempDirectory _dir = new("lifecycle-world");

    internal WorldFacts Facts { get; private set; } = null!;

    private string TemplatePath => _dir.File("template.db");

    public async Task InitializeAsync()
    {
        await using var store = new EmbeddedKeyValueStore(TemplatePath);
        Facts = await LifecycleWorld.BuildAsync(store);
    }

    /// <summary>A fresh copy of the world in <paramref name="directory"/>; the caller disposes the store.</summary>
    internal EmbeddedKeyValueStore Copy(TempDirectory directory)
    {
        string path = directory.File("calico.db");
        foreach (var suffix in new[] { "", "-wal", "-shm" })
        {
            if (File.Exists(TemplatePath + suffix))
            {
                File.Copy(TemplatePath + suffix, path + suffix, overwrite: true);
            }
        }

        return new EmbeddedKeyValueStore(path);
    }

    public Task DisposeAsync()
    {
        _dir.Dispose();
        return Task.CompletedTask;
    }
}
