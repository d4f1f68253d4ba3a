using Calico.Ctl;

namespace Calico.Lifecycle.Tests;

/// <summary>calicoctl run in-process (the same code as the binary) against one datastore given by its environment.</summary>
internal sealed class Calicoctl(IReadOnlyDictionary<string, string> environment)
{
    public static Calicoctl Embedded(string path) =>
        new(new Dictionary<string, string> { ["DATASTORE_TYPE"] = "embedded", ["CALICO_DATASTORE_PATH"] = path });

    public static Calicoctl Etcd(string endpoint) =>
        new(new Dictionary<string, string> { ["DATASTORE_TYPE"] = "etcdv3", ["ETCD_ENDPOINTS"] = endpoint });

    public async Task<(int Exit, string Out, string Err)> RunWithInputAsync(string stdin, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        using var input = new StringReader(stdin);
        int exit = await CalicoCtl.RunAsync(args, input, output, error,
            name => environment.TryGetValue(name, out var v) ? v : null, TimeProvider.System, CancellationToken.None);
        return (exit, output.ToString(), error.ToString());
    }

    public Task<(int Exit, string Out, string Err)> RunAsync(params string[] args) => RunWithInputAsync("", args);
}
