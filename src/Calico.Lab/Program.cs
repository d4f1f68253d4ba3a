using Calico.Lab;

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};
return await LabCli.RunAsync(args, Console.Out, Console.Error, cancel.Token).ConfigureAwait(false);
