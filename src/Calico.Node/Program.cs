using System.Collections;
using System.Runtime.InteropServices;
using Calico.Node;

var environment = new Dictionary<string, string>(StringComparer.Ordinal);
foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
{
    environment[(string)entry.Key] = (string?)entry.Value ?? "";
}

using var stop = new CancellationTokenSource();
// SIGTERM (orchestrator stop) and SIGINT end the loop cleanly; the kernel state stays as programmed.
using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => { context.Cancel = true; stop.Cancel(); });
using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => { context.Cancel = true; stop.Cancel(); });
return await NodeCli.RunAsync(args, environment, Console.Error, stop.Token);
