using System.Collections;
using Calico.Cni;

// Thin: the CNI protocol lives in CniPlugin so tests run the same code in-process.
CniPhases.ProcessEntered();
var environment = new Dictionary<string, string>(StringComparer.Ordinal);
foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
{
    environment[(string)entry.Key] = (string?)entry.Value ?? "";
}

var name = Path.GetFileName(Environment.ProcessPath ?? "calico");
if (args.Length > 0 && args[0] is "-v" or "--version")
{
    Console.WriteLine($"CNI plugin {name} (Calico in C#), CNI spec {string.Join(", ", CniVersions.Supported)}");
    return 0;
}

byte[] stdin;
using (var input = Console.OpenStandardInput())
using (var buffer = new MemoryStream())
{
    await input.CopyToAsync(buffer).ConfigureAwait(false);
    stdin = buffer.ToArray();
}

var stdout = new StreamWriter(Console.OpenStandardOutput()) { AutoFlush = true };
var stderr = new StreamWriter(Console.OpenStandardError()) { AutoFlush = true };
return await CniPlugin.RunAsync(new CniInvocation(name, environment, stdin, stdout, stderr), TimeProvider.System, CancellationToken.None).ConfigureAwait(false);
