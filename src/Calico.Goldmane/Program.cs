using System.Collections;
using Calico.Goldmane.Host;

var environment = new Dictionary<string, string>(StringComparer.Ordinal);
foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
{
    environment[(string)entry.Key] = (string?)entry.Value ?? "";
}

GoldmaneOptions? options;
try
{
    options = GoldmaneCli.Parse(args, environment);
}
catch (ArgumentException e)
{
    await Console.Error.WriteLineAsync("goldmane: " + e.Message);
    return 2;
}

if (options is null)
{
    Console.Out.Write(GoldmaneCli.Usage);
    return 0;
}

try
{
    var app = GoldmaneHost.Build(options);
    await app.RunAsync();
    return 0;
}
catch (IOException e)
{
    // Typically a port already in use: say which.
    await Console.Error.WriteLineAsync($"goldmane: cannot listen (gRPC port {options.GrpcPort}, HTTP port {options.HttpPort}): {e.Message}");
    return 1;
}
