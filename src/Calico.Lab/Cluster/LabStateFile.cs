using System.Text.Json;

namespace Calico.Lab.Cluster;

/// <summary>
/// Reads and writes lab.json. Writes go to a temporary file renamed over the old one (a crash never leaves half a
/// file); read-modify-write sequences from concurrent commands are serialised by an exclusive lock file.
/// </summary>
public static class LabStateFile
{
    public static LabState? TryLoad(LabLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        if (!File.Exists(layout.StateFile))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(File.ReadAllText(layout.StateFile), LabStateJson.Default.LabState)
                ?? throw new LabException($"{layout.StateFile} is empty");
        }
        catch (JsonException e)
        {
            throw new LabException($"{layout.StateFile} cannot be read: {e.Message}", e);
        }
    }

    /// <summary>The lab's state; a clear error when the lab is not up.</summary>
    public static LabState Load(LabLayout layout) =>
        TryLoad(layout) ?? throw new LabException($"lab '{layout.Name}' is not up (no {layout.StateFile}): run calico-lab up first");

    public static void Save(LabLayout layout, LabState state)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(state);
        var temporary = layout.StateFile + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(state, LabStateJson.Default.LabState));
        File.Move(temporary, layout.StateFile, overwrite: true);
    }

    /// <summary>Loads, lets <paramref name="change"/> edit, saves; under the lab's lock.</summary>
    public static async Task UpdateAsync(LabLayout layout, Action<LabState> change, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(change);
        await using var held = (await LockAsync(layout, cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
        var state = Load(layout);
        change(state);
        Save(layout, state);
    }

    /// <summary>An exclusive lock on lab.lock, retried while another command holds it.</summary>
    public static async Task<IAsyncDisposable> LockAsync(LabLayout layout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(layout);
        PrivateDirectory.Create(layout.StateDir);
        while (true)
        {
            try
            {
                return new FileStream(layout.LockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException)
            {
                // Held by another calico-lab command: its critical section is short.
                await Task.Delay(20, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
