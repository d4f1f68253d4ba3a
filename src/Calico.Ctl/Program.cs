using Calico.Ctl;

return await CalicoCtl.RunAsync(args, Console.In, Console.Out, Console.Error, Environment.GetEnvironmentVariable, TimeProvider.System, CancellationToken.None).ConfigureAwait(false);
