using System.Globalization;
using System.Text;
using Calico.Datastore.Embedded;

namespace Calico.Datastore.Tests;

/// <summary>
/// Entry point used only when a test starts this assembly as a child process
/// (<c>dotnet exec Calico.Datastore.Tests.dll &lt;mode&gt; …</c>); xunit never calls it.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Length < 1)
        {
            await Console.Error.WriteLineAsync("usage: increment <db> <key> <count> | fill <db> <prefix>");
            return 2;
        }

        switch (args[0])
        {
            case "increment":
                await using (var store = new EmbeddedKeyValueStore(args[1]))
                {
                    await StoreTestHelpers.IncrementAsync(store, args[2], int.Parse(args[3], CultureInfo.InvariantCulture), CancellationToken.None);
                }

                return 0;
            case "fill":
                await using (var store = new EmbeddedKeyValueStore(args[1]))
                {
                    for (int i = 0; ; i++)
                    {
                        string key = args[2] + i.ToString("D6", CultureInfo.InvariantCulture);
                        WriteResult result = await store.CreateAsync(key, StoreTestHelpers.Payload(key), CancellationToken.None);
                        if (!result.Succeeded)
                        {
                            await Console.Error.WriteLineAsync($"create {key}: {result.Status}");
                            return 1;
                        }

                        if (i % 50 == 0)
                        {
                            await Console.Out.WriteLineAsync(Encoding.UTF8.GetString(StoreTestHelpers.Payload(key).AsSpan(0, 16)));
                        }
                    }
                }

            default:
                await Console.Error.WriteLineAsync("unknown mode " + args[0]);
                return 2;
        }
    }
}
